// `hclx plan`: read-only view of what each ISO block needs on the Proxmox node. Thin: flags → runPlan.
import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import { flagValues, parseVarFlags } from '../../packer/flags.js';
import { runPlan } from '../../provision/run-plan.js';
import { namingOptions, namingSettings, templateArg } from '../shared-options.js';
import type { NamingCliOptions } from '../shared-options.js';

interface PlanOptions extends NamingCliOptions {
  json: boolean;
}

const USAGE = 'plan [--json] [--iso-name checksum|url] [--overwrite] [--ca-file F] [-var k=v] [-var-file F] TEMPLATE';

export const command = defineCommand<PlanOptions>({
  name: 'plan',
  describe:
    'Show, without changing anything, what each ISO block with iso_download_pve = true needs on the Proxmox node: source, block, URL, node, storage, target volid, its state (present, would verify, would download, ...) and size. Runs the same pre-flight checks as a download.',
  usage: USAGE,
  extraPackerFlags: { var: 'value', 'var-file': 'value' },
  options: (y) => namingOptions(y.option('json', { type: 'boolean', default: false, describe: 'print the plan as one JSON document' })) as unknown as Argv<PlanOptions>,
  async run(options, packerFlags, positionals, ctx) {
    return runPlan({
      ...namingSettings(options),
      template: templateArg(positionals, 'plan', USAGE),
      cwd: ctx.cwd,
      env: ctx.env,
      varFiles: flagValues(packerFlags, 'var-file'),
      vars: parseVarFlags(packerFlags),
      json: options.json,
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      signal: ctx.signal,
    });
  },
});
