// What every hclx command module exports, and what it is given to run.

import type { Argv } from 'yargs';
import type { PackerCommand, PackerFlag } from '../packer/flags.js';

export interface CommandContext {
  argv0: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Aborted on the first SIGINT/SIGTERM; commands stop their work, clean up and throw InterruptedError. */
  signal: AbortSignal;
}

export interface CommandSpec<O = Record<string, unknown>> {
  name: string;
  /** One line for `hclx --help`. */
  describe: string;
  /** Usage line after `hclx`, e.g. `render [options] [-var k=v] [-var-file F] TEMPLATE`. */
  usage: string;
  /** Which Packer flags are accepted in Go syntax. */
  packer?: PackerCommand;
  /** Packer-style flags accepted by a command that does not run Packer (e.g. -var, -var-file for render). */
  extraPackerFlags?: Record<string, 'bool' | 'value'>;
  /** Declares the command's double-dash options. */
  options(y: Argv): Argv<O>;
  /** Runs the command; returns the exit code. Never calls process.exit. */
  run(options: O, packerFlags: PackerFlag[], positionals: string[], ctx: CommandContext): Promise<number>;
}

export function defineCommand<O>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}
