// Splits a command line the way hclx documents it:
//   hclx <command> [--hclx-options] [-packer-flags] TEMPLATE
// Packer's flags keep Go's single-dash syntax (`-var k=v`, `-var-file=F`, `-only=a,b`, `-force`) and
// are recognised from Packer's own flag table, so boolean flags never swallow the template path.
// hclx's own options are double-dash. Like Go's flag package, scanning stops at the first
// positional argument: the template path comes last.

import { UsageError } from '../errors.js';
import { PACKER_FLAGS, type PackerCommand, type PackerFlag } from '../packer/flags.js';

export interface SplitArgs {
  /** Double-dash hclx options (with their values), for optionParser() in options.ts (yargs). */
  hclxArgs: string[];
  packerFlags: PackerFlag[];
  /** Positional arguments (the template path). */
  positionals: string[];
}

export interface SplitOptions {
  /** Which Packer command's flag table applies; `undefined` = the command takes no Packer flags. */
  packer?: PackerCommand;
  /** Packer flags the command understands even though it does not run Packer (`-var`, `-var-file`). */
  extraPackerFlags?: Record<string, 'bool' | 'value'>;
  /** hclx options that are boolean (so they never take the next token as their value). */
  booleanOptions: ReadonlySet<string>;
}

/** Splits argv (after the command name) into hclx options, Packer flags and positionals. */
export function splitArgs(argv: readonly string[], options: SplitOptions): SplitArgs {
  const table = { ...(options.packer ? PACKER_FLAGS[options.packer] : {}), ...options.extraPackerFlags };
  const result: SplitArgs = { hclxArgs: [], packerFlags: [], positionals: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      i++;
      break;
    }
    if (token.startsWith('--') && token.length > 2) {
      const [name] = token.slice(2).split('=', 1) as [string];
      result.hclxArgs.push(token);
      const takesValue = !token.includes('=') && !options.booleanOptions.has(name) && !name.startsWith('no-');
      if (takesValue && name !== 'help' && name !== 'version' && i + 1 < argv.length) result.hclxArgs.push(argv[++i]!);
      continue;
    }
    if (token.startsWith('-') && token.length > 1 && !/^-\d/.test(token)) {
      const body = token.slice(1);
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      if (name === 'h' || name === 'help') {
        result.hclxArgs.push('--help');
        continue;
      }
      const kind = table[name];
      if (kind === undefined) {
        const known = Object.keys(table).map((f) => `-${f}`);
        throw new UsageError(`unknown flag '${token}'.`, {
          hint:
            known.length > 0
              ? `Packer flags this command accepts: ${known.join(', ')}; hclx's own options are double-dash (see --help).`
              : `This command takes no Packer flags; hclx's options are double-dash (see --help).`,
        });
      }
      if (eq >= 0) {
        result.packerFlags.push({ name, value: body.slice(eq + 1), tokens: [token] });
      } else if (kind === 'value') {
        const value = argv[i + 1];
        if (value === undefined) throw new UsageError(`flag '${token}' needs a value.`, { hint: `Write it as ${token}=VALUE or ${token} VALUE, before the template path.` });
        result.packerFlags.push({ name, value, tokens: [token, value] });
        i++;
      } else {
        result.packerFlags.push({ name, value: undefined, tokens: [token] });
      }
      continue;
    }
    result.positionals.push(token);
    // Go's flag package stops at the first positional: everything after it is positional too.
    for (i++; i < argv.length; i++) {
      const rest = argv[i]!;
      if (rest.startsWith('-') && rest.length > 1) {
        throw new UsageError(`'${rest}' comes after the template path '${token}'.`, {
          hint: 'Put every flag before the template path, as Packer requires: hclx <command> [--options] [-packer-flags] TEMPLATE.',
        });
      }
      result.positionals.push(rest);
    }
    break;
  }
  for (; i < argv.length; i++) result.positionals.push(argv[i]!);
  return result;
}
