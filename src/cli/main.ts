// The CLI entry: picks the command, splits hclx options from Packer flags, parses the options with
// yargs (options.ts), runs the command and maps errors to exit codes. The only place that calls process.exit.

import { setFlagsFromString } from 'node:v8';
import { splitArgs } from './args.js';
import type { CommandContext, CommandSpec } from './command.js';
import { ExitCode, HclxError, UsageError } from '../errors.js';
import { describeError, errorEvent } from './error-report.js';
import { redactSecrets } from '../log.js';

type Loader = () => Promise<CommandSpec<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Commands load lazily so `hclx render` does not pay for the simulator or the Proxmox client. */
const COMMANDS: Record<string, Loader> = {
  render: async () => (await import('./commands/render.js')).command,
  plan: async () => (await import('./commands/plan.js')).command,
  build: async () => (await import('./commands/build.js')).command,
  validate: async () => (await import('./commands/validate.js')).command,
  migrate: async () => (await import('./commands/migrate.js')).command,
  sim: async () => (await import('./commands/sim.js')).command,
  demo: async () => (await import('./commands/demo.js')).command,
};

const VERSION = '0.1.0';

function topHelp(): string {
  return [
    'Usage: hclx <command> [--options] [-packer-flags] TEMPLATE',
    '',
    'Let the Proxmox VE node download the ISOs of a Packer template (iso_download_pve), then run Packer.',
    '',
    'Commands:',
    '  render    rewrite iso_download_pve blocks to iso_file references and write the template to --out',
    '  plan      show, read-only, what each ISO block needs on the Proxmox node',
    '  build     download ISOs on the node, then run `packer build` on the rewritten template',
    '  validate  check the template (syntax, schema, variables, storage) and run `packer validate`',
    '  migrate   upgrade legacy ISO settings (iso_file uploads, top-level iso_*) to iso_download_pve',
    '  sim       run the Proxmox VE API simulator with an ISO mirror',
    '  demo      run the end-to-end demo on the embedded simulator',
    '',
    'Run `hclx <command> --help` for a command\'s options. Exit codes: 0 ok, 1 operational failure,',
    '2 usage or template error, 3 changes needed (migrate --check), 130 interrupted.',
  ].join('\n');
}

export async function main(argv: string[], ctx: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout.write(topHelp() + '\n');
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    ctx.stdout.write(`hclx ${VERSION}\n`);
    return ExitCode.ok;
  }
  const load = COMMANDS[name];
  if (!load) throw new UsageError(`unknown command '${name}'.`, { hint: `Commands: ${Object.keys(COMMANDS).join(', ')}. Run \`hclx --help\`.` });
  // The option parser (yargs) loads with the command, in parallel: --version, --help and a mistyped
  // command never need it.
  const [spec, { optionParser }] = await Promise.all([load(), import('./options.js')]);
  const parser = optionParser(spec, Math.min(100, ctx.stdout.columns ?? 100));
  const split = splitArgs(rest, { packer: spec.packer, extraPackerFlags: spec.extraPackerFlags, booleanOptions: parser.booleanOptions });
  const parsed = parser.parse(split.hclxArgs);
  if (parsed.help !== undefined) {
    ctx.stdout.write(parsed.help + '\n');
    return ExitCode.ok;
  }
  return spec.run(parsed.options, split.packerFlags, split.positionals, ctx);
}

export { describeError, errorEvent };

/** Whether the command line asked for NDJSON events (`--json` before the template path). */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.slice(1).some((a) => a === '--json' || a === '--json=true');
}

async function runFromProcess(): Promise<void> {
  // WebAssembly (the HCL parser, undici's HTTP parser) runs on Liftoff, V8's baseline compiler, only.
  // Otherwise V8 recompiles the hot parser functions with its optimising compiler in background
  // threads, and process.exit() waits for those jobs: ~100 ms added to every run that parsed a
  // template (bench/README.md), for code that runs a few milliseconds. Set before any module compiles.
  setFlagsFromString('--liftoff-only');
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\nhclx: ${sig} received, stopping and cleaning up (press Ctrl-C again to abandon cleanup)\n`);
      controller.abort(sig);
    } else {
      process.exit(ExitCode.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ctx: CommandContext = { argv0: 'hclx', cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr, signal: controller.signal };
  let code: number;
  try {
    code = await main(process.argv.slice(2), ctx);
  } catch (error) {
    const { text, exitCode } = describeError(error);
    if (text) process.stderr.write(`hclx: ${redactSecrets(text)}\n`);
    // With --json, CI reads events from stdout: the failure is the last event, not only a stderr line.
    if (wantsJson(process.argv.slice(2)) && text) process.stdout.write(errorEvent(error, text, exitCode) + '\n');
    if (process.env.HCLX_LOG === 'debug' && error instanceof Error && !(error instanceof HclxError)) process.stderr.write(redactSecrets(String(error.stack)) + '\n');
    code = exitCode;
  }
  process.exitCode = code;
  // Exit once stdout and stderr have flushed: stray handles (keep-alive sockets) and V8's background
  // WebAssembly tier-up of the parser would otherwise hold the process for tens of milliseconds.
  // The timer is the fallback for a stream that never calls back (a closed pipe).
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  setTimeout(() => process.exit(code), 50).unref();
}

if (process.argv[1] && /(?:hclx(?:\.mjs)?|main\.[jt]s)$/.test(process.argv[1])) {
  await runFromProcess();
}
