// `hclx demo` (`npm run demo`): thin; the demo itself is src/demo/run-demo.ts.
import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import { UsageError } from '../../errors.js';
import { runDemo } from '../../demo/run-demo.js';

interface DemoCliOptions {
  packer?: string;
  isoSize: number;
}

export const command = defineCommand<DemoCliOptions>({
  name: 'demo',
  describe:
    'Run hclx build end to end on a machine with no Proxmox: an in-process Proxmox VE simulator with an ISO mirror, the node downloading the ISO of examples/demo/ubuntu-demo.pkr.hcl, the rewritten iso_file lines, and packer build on the result (when Packer is installed).',
  usage: 'demo [--packer PATH] [--iso-size MIB]',
  options: (y) =>
    y
      .option('packer', { type: 'string', describe: 'the Packer executable (default: PACKER_BIN, else packer on PATH)' })
      .option('iso-size', { type: 'number', default: 128, describe: 'size of the generated ISO in MiB' }) as unknown as Argv<DemoCliOptions>,
  async run(options, _flags, positionals, ctx) {
    if (positionals.length > 0) throw new UsageError(`hclx demo takes no arguments, got: ${positionals.join(' ')}.`, { hint: 'Run `hclx demo` (or `npm run demo`).' });
    if (!(options.isoSize >= 1 && options.isoSize <= 4096)) throw new UsageError(`--iso-size ${options.isoSize} is out of range.`, { hint: 'Give a size in MiB between 1 and 4096.' });
    return runDemo({
      cwd: ctx.cwd,
      env: ctx.env,
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      signal: ctx.signal,
      isoBytes: Math.round(options.isoSize * 1024 * 1024),
      ...(options.packer ? { packerPath: options.packer } : {}),
    });
  },
});
