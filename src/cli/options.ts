// hclx's double-dash options: each command declares them with `.option(name, spec)` (type, default,
// choices, help text); parseOptions() reads the tokens splitArgs() left for hclx, and helpText()
// prints `hclx <command> --help`. Small on purpose: loading a general argument parser took ~45 ms
// of every start (benchmark 5 in bench/README.md), more than rendering a template.

import { UsageError } from '../errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean' | 'number';
  describe: string;
  default?: string | boolean | number;
  /** The values a string option accepts. */
  choices?: readonly string[];
  /** Another long name for the option (without the dashes). */
  alias?: string;
  /** Repeatable: every occurrence adds a value. */
  array?: boolean;
}

/** The options of one command. `O` is the parsed shape the command reads (a type only). */
export class OptionSet<O = Record<string, unknown>> {
  readonly specs = new Map<string, OptionSpec>();
  declare readonly parsed?: O;

  option(name: string, spec: OptionSpec): this {
    this.specs.set(name, spec);
    return this;
  }

  /** Names (and aliases) of the boolean options: they never take the next token as their value. */
  booleanNames(): Set<string> {
    const names = new Set(['help']);
    for (const [name, spec] of this.specs) {
      if (spec.type !== 'boolean') continue;
      names.add(name);
      if (spec.alias) names.add(spec.alias);
    }
    return names;
  }
}

/** `dry-run` → `dryRun`: the key a command reads. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function lookup(set: OptionSet<unknown>, name: string): [string, OptionSpec] | undefined {
  const direct = set.specs.get(name);
  if (direct) return [name, direct];
  for (const [key, spec] of set.specs) if (spec.alias === name) return [key, spec];
  return undefined;
}

/**
 * Parses `--name`, `--name=value`, `--name value` and `--no-name` (booleans) into camelCase keys,
 * defaults filled in; `help: true` for `--help`. Every mistake is a UsageError naming the option.
 */
export function parseOptions(set: OptionSet<unknown>, tokens: readonly string[], command: string): Record<string, unknown> {
  const hint = { hint: `Run \`hclx ${command} --help\` for the options.` };
  const result: Record<string, unknown> = {};
  const given = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token.startsWith('--')) throw new UsageError(`unexpected argument '${token}'.`, hint);
    const eq = token.indexOf('=');
    let name = eq >= 0 ? token.slice(2, eq) : token.slice(2);
    let inline: string | undefined = eq >= 0 ? token.slice(eq + 1) : undefined;
    if (name === 'help') {
      result.help = true;
      continue;
    }
    let found = lookup(set, name);
    if (!found && name.startsWith('no-')) {
      const positive = lookup(set, name.slice(3));
      if (positive?.[1].type === 'boolean' && inline === undefined) {
        found = positive;
        name = positive[0];
        inline = 'false';
      }
    }
    if (!found) throw new UsageError(`unknown option '--${name}'.`, hint);
    const [key, spec] = found;
    let value: string | boolean | number;
    if (spec.type === 'boolean') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') throw new UsageError(`--${key} is a switch: give it alone, or as --${key}=true / --${key}=false, not '${inline}'.`, hint);
      value = inline !== 'false';
    } else {
      const text = inline ?? tokens[++i];
      if (text === undefined) throw new UsageError(`--${key} needs a value.`, hint);
      if (spec.choices && !spec.choices.includes(text)) throw new UsageError(`--${key} ${JSON.stringify(text)} is not one of ${spec.choices.join(', ')}.`, hint);
      if (spec.type === 'number') {
        value = Number(text);
        if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${key} needs a number, not '${text}'.`, hint);
      } else {
        value = text;
      }
    }
    const field = camelCase(key);
    if (spec.array) {
      result[field] = [...((result[field] as unknown[] | undefined) ?? []), value];
    } else {
      if (given.has(key)) throw new UsageError(`--${key} is given more than once.`, hint);
      result[field] = value;
    }
    given.add(key);
  }
  for (const [name, spec] of set.specs) {
    const field = camelCase(name);
    if (!(field in result) && spec.default !== undefined) result[field] = spec.default;
  }
  return result;
}

/** `hclx <command> --help`: usage, description, then one entry per option, wrapped to `width`. */
export function helpText(set: OptionSet<unknown>, usage: string, describe: string, width: number): string {
  const entries: Array<[string, string]> = [...set.specs].map(([name, spec]) => {
    const left = [`--${name}`, ...(spec.alias ? [spec.alias.length === 1 ? `-${spec.alias}` : `--${spec.alias}`] : [])].join(', ');
    const notes = [
      spec.array ? `[${spec.type}, repeatable]` : `[${spec.type}]`,
      ...(spec.choices ? [`[choices: ${spec.choices.join(', ')}]`] : []),
      ...(spec.default !== undefined ? [`[default: ${String(spec.default)}]`] : []),
    ];
    return [left, `${spec.describe} ${notes.join(' ')}`];
  });
  entries.push(['--help', 'show this help']);
  const column = Math.min(Math.max(...entries.map(([l]) => l.length)) + 4, 28);
  const [first, ...rest] = wrap(`Usage: hclx ${usage}`, width - 4);
  const lines = [first!, ...rest.map((l) => `    ${l}`), '', ...wrap(describe, width), '', 'Options:'];
  for (const [left, right] of entries) {
    const text = wrap(right, Math.max(width - column, 30));
    const head = `  ${left}`;
    if (head.length + 2 > column) lines.push(head, ...text.map((t) => ' '.repeat(column) + t));
    else lines.push(head.padEnd(column) + text[0], ...text.slice(1).map((t) => ' '.repeat(column) + t));
  }
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
