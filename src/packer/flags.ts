// Packer's command-line flag model: which flags `packer build` / `packer validate` take, a flag as
// the user wrote it, and the questions core modules ask of a flag list (`-var` values, `-force`...).
// The CLI splits argv with this table (src/cli/args.ts); the pipeline and the Packer runner read
// the flags it produced. Nothing here parses hclx's own options.

import { UsageError } from '../errors.js';

export type PackerCommand = 'build' | 'validate';

/** Flags of `packer build` / `packer validate` (Packer 1.6 to 1.16), and whether they take a value. */
export const PACKER_FLAGS: Record<PackerCommand, Record<string, 'bool' | 'value'>> = {
  build: {
    color: 'bool',
    debug: 'bool',
    force: 'bool',
    'machine-readable': 'bool',
    'timestamp-ui': 'bool',
    'warn-on-undeclared-var': 'bool',
    'ignore-prerelease-plugins': 'bool',
    'use-sequential-evaluation': 'bool',
    'skip-enforcement': 'bool',
    var: 'value',
    'var-file': 'value',
    only: 'value',
    except: 'value',
    'on-error': 'value',
    'parallel-builds': 'value',
    parallel: 'bool',
    'config-type': 'value',
  },
  validate: {
    'syntax-only': 'bool',
    'evaluate-datasources': 'bool',
    'no-warn-undeclared-var': 'bool',
    'machine-readable': 'bool',
    'ignore-prerelease-plugins': 'bool',
    'use-sequential-evaluation': 'bool',
    var: 'value',
    'var-file': 'value',
    only: 'value',
    except: 'value',
    'config-type': 'value',
  },
};

/** One Packer flag as the user wrote it (kept verbatim so it can be passed on unchanged). */
export interface PackerFlag {
  name: string;
  /** Undefined for a boolean flag given without `=`. */
  value: string | undefined;
  /** The argv tokens, e.g. ['-var', 'a=b'] or ['-var-file=x.pkrvars.hcl']. */
  tokens: string[];
}

/** Values of a repeatable Packer flag in command-line order (`-var`, `-var-file`, `-only`...). */
export function flagValues(flags: readonly PackerFlag[], name: string): string[] {
  return flags.filter((f) => f.name === name && f.value !== undefined).map((f) => f.value!);
}

/** Whether a boolean Packer flag is set (`-force`, `-force=true`; not `-force=false`). */
export function flagIsSet(flags: readonly PackerFlag[], name: string): boolean {
  const last = flags.filter((f) => f.name === name).at(-1);
  if (!last) return false;
  return last.value === undefined || !/^(false|0|f|F|FALSE|False)$/.test(last.value);
}

/** `-var 'k=v'` values as [name, raw value] pairs; a value without `=` is a usage error (as in Packer). */
export function parseVarFlags(flags: readonly PackerFlag[]): Array<[string, string]> {
  return flagValues(flags, 'var').map((kv) => {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid value "${kv}" for flag -var: expected NAME=VALUE.`, { hint: `Write it as -var 'name=value'.` });
    return [kv.slice(0, eq), kv.slice(eq + 1)];
  });
}
