// hclx's double-dash options, parsed by yargs. Each command declares its options with yargs'
// `.option(name, spec)` (command.ts); this module sets yargs up the one way hclx uses it and turns
// every mistake into a UsageError naming the option (one paragraph, exit 2), including the ones yargs
// lets through: a number that is not one, an option given twice, a switch given a value.
// main.ts imports this module with the command, so `hclx --version` and `hclx --help` load no
// yargs; the build bundles yargs into the chunk that holds it (scripts/bundle.mjs).

import yargs from 'yargs';
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import type { CommandSpec } from './command.js';

type AnySpec = CommandSpec<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * yargs' messages, reworded in hclx's style (hclx prints English only; the locale is pinned, so
 * yargs' own English strings are the base and its translation files are never read).
 */
const STRINGS: Record<string, string | { one: string; other: string }> = {
  'Unknown argument: %s': { one: 'unknown option %s', other: 'unknown options %s' },
  'Not enough arguments following: %s': '--%s needs a value',
  'Invalid values:': 'invalid value:',
  'Argument: %s, Given: %s, Choices: %s': '--%s %s is not one of %s',
};

interface Declared {
  boolean: string[];
  string: string[];
  number: string[];
  array: string[];
  alias: Record<string, string[]>;
}

function declared(y: Argv): Declared {
  return (y as unknown as { getOptions(): Declared }).getOptions();
}

/** The command's options declared on a yargs instance set up for hclx (nothing parsed yet). */
function configure(spec: AnySpec, usage: string, width: number): Argv {
  const y = spec.options(
    yargs()
      .scriptName('hclx')
      .usage(usage)
      .parserConfiguration({ 'short-option-groups': false, 'camel-case-expansion': true, 'strip-dashed': true })
      .locale('en')
      .updateStrings(STRINGS as Record<string, string>)
      .help('help')
      .version(false)
      .strict()
      .exitProcess(false),
  ) as Argv;
  const d = declared(y);
  // A value-taking option at the end of the line is an error, not an empty string.
  return y.requiresArg([...d.string, ...d.number]).wrap(width);
}

/** `dry-run` → `dryRun`: the key yargs gives a command (and names unknown options by). */
function camelCase(name: string): string {
  return name.replace(/-+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
}

/** `bogusOpt` → the name as typed (`bogus-opt`), for yargs' camelCased unknown keys. */
function typedName(key: string, tokens: readonly string[]): string {
  const names = tokens.filter((t) => t.startsWith('--')).map((t) => t.slice(2).split('=', 1)[0]!);
  return names.find((n) => n === key || camelCase(n) === key) ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export interface ParsedOptions {
  /** camelCase keys, defaults filled in. */
  options: Record<string, unknown>;
  /** Set for `--help`: the command's help text. */
  help?: string;
}

export interface OptionParser {
  /** Names of the boolean options (and `help`): splitArgs() must not give them the next token. */
  booleanOptions: Set<string>;
  /**
   * Parses the double-dash tokens splitArgs() left for hclx. Throws a UsageError naming the option
   * for an unknown option, a missing value, a value outside the choices, a number that is not one,
   * an option given twice, a switch given a value other than true/false, and `--no-X` of a value
   * option.
   */
  parse(tokens: readonly string[]): ParsedOptions;
}

/** The command's option parser: one yargs instance (with the help laid out `width` columns wide). */
export function optionParser(spec: AnySpec, width: number): OptionParser {
  const fail = (message: string): never => {
    throw new UsageError(`${message}.`, { hint: `Run \`hclx ${spec.name} --help\` for the options.` });
  };
  let failure: string | undefined;
  const y = configure(spec, `Usage: hclx ${spec.usage}\n\n${spec.describe}`, width).fail((msg: string | null, err?: Error) => {
    failure ??= msg ?? err?.message ?? 'invalid options';
  });
  const d = declared(y);
  const parse = (tokens: readonly string[]): ParsedOptions => {
    // yargs reads `--offline=yes` as false, and `--no-out` as out = false.
    for (const [i, token] of tokens.entries()) {
      const m = /^--([^=]+)=(.*)$/s.exec(token);
      // yargs reads an empty number (`--parallel ''`, `--parallel=`) as 0.
      const empty = m ? m[2] : /^--(.+)$/s.test(token) ? tokens[i + 1] : undefined;
      const name = m ? m[1]! : token.slice(2);
      if (d.number.includes(name) && empty !== undefined && empty.trim() === '') fail(`--${name} needs a number`);
      if (m && d.boolean.includes(m[1]!) && m[2] !== 'true' && m[2] !== 'false') fail(`--${m[1]} is a switch: give it alone, or as --${m[1]}=true / --${m[1]}=false, not '${m[2]}'`);
      const no = /^--no-([^=]+)$/.exec(token)?.[1];
      if (no && [...d.string, ...d.number].includes(no)) fail(`--${no} takes a value; there is no --no-${no}`);
    }
    failure = undefined;
    let help = '';
    const options = y.parseSync([...tokens], {}, (_err, _argv, output) => {
      help = output;
    }) as Record<string, unknown>;
    if (failure !== undefined) {
      const text = (failure as string).replace(/\s+/g, ' ').trim();
      const unknown = /^(unknown options?) (.*)$/.exec(text);
      fail(unknown ? `${unknown[1]} ${unknown[2]!.split(', ').map((k) => `'--${typedName(k, tokens)}'`).join(', ')}` : text);
    }
    if (options.help) return { options, help };
    for (const name of [...d.string, ...d.number]) {
      const value = options[camelCase(name)];
      if (value === undefined) continue;
      if (Array.isArray(value) && !d.array.includes(name)) fail(`--${name} is given more than once`);
      if (d.number.includes(name) && Number.isNaN(value)) fail(`--${name} needs a number`);
    }
    return { options };
  };
  return { booleanOptions: new Set(['help', ...d.boolean, ...d.boolean.flatMap((b) => d.alias[b] ?? [])]), parse };
}
