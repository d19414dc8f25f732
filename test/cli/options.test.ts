// The double-dash option parser every command uses (src/cli/options.ts): types, defaults, choices,
// --no-X, repeatable options, and a usage error naming the option for every mistake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { helpText, OptionSet, parseOptions } from '../../src/cli/options.js';
import { UsageError } from '../../src/errors.js';
import { command as render } from '../../src/cli/commands/render.js';
import { command as sim } from '../../src/cli/commands/sim.js';

function options() {
  return new OptionSet()
    .option('out', { alias: 'output', type: 'string', describe: 'where' })
    .option('target', { type: 'string', choices: ['auto', 'modern', 'legacy'], default: 'auto', describe: 'dialect' })
    .option('verify-iso-certificates', { type: 'boolean', default: true, describe: 'verify' })
    .option('offline', { type: 'boolean', default: false, describe: 'offline' })
    .option('parallel', { type: 'number', default: 4, describe: 'how many' })
    .option('node', { type: 'string', array: true, describe: 'repeatable' });
}

const usageError = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && pattern.test(e.describe());

test('values in all three spellings, camelCase keys, defaults for what is not given', () => {
  assert.deepEqual(parseOptions(options(), ['--out', 'dir', '--parallel=2', '--offline', '--node', 'a', '--node=b'], 'render'), {
    out: 'dir',
    parallel: 2,
    offline: true,
    node: ['a', 'b'],
    target: 'auto',
    verifyIsoCertificates: true,
  });
  assert.deepEqual(parseOptions(options(), ['--output=x', '--no-verify-iso-certificates', '--offline=false', '--target', 'legacy'], 'render'), {
    out: 'x',
    verifyIsoCertificates: false,
    offline: false,
    target: 'legacy',
    parallel: 4,
  });
  assert.equal(parseOptions(options(), ['--help'], 'render').help, true);
});

test('every mistake is a usage error that names the option', () => {
  assert.throws(() => parseOptions(options(), ['--bogus', 'x'], 'render'), usageError(/unknown option '--bogus'.*hclx render --help/s));
  assert.throws(() => parseOptions(options(), ['--target', 'newest'], 'render'), usageError(/--target "newest" is not one of auto, modern, legacy/));
  assert.throws(() => parseOptions(options(), ['--parallel', 'many'], 'render'), usageError(/--parallel needs a number, not 'many'/));
  assert.throws(() => parseOptions(options(), ['--out'], 'render'), usageError(/--out needs a value/));
  assert.throws(() => parseOptions(options(), ['--offline=yes'], 'render'), usageError(/--offline is a switch/));
  assert.throws(() => parseOptions(options(), ['--out', 'a', '--out', 'b'], 'render'), usageError(/--out is given more than once/));
  assert.throws(() => parseOptions(options(), ['--no-out'], 'render'), usageError(/unknown option '--no-out'/));
});

test('booleanNames tells splitArgs which options never take the next token', () => {
  assert.deepEqual([...options().booleanNames()].sort(), ['help', 'offline', 'verify-iso-certificates']);
});

test('help lists every option of a real command with its type, choices and default', () => {
  const set = render.options(new OptionSet());
  const text = helpText(set, render.usage, render.describe, 100);
  assert.match(text, /^Usage: hclx render /);
  for (const name of set.specs.keys()) assert.match(text, new RegExp(`--${name}\\b`));
  assert.match(text.replace(/\s+/g, ' '), /--target dialect of the rewritten ISO blocks \[string\] \[choices: auto, modern, legacy\] \[default: auto\]/);
  assert.ok(text.split('\n').every((line) => line.length <= 100), text);
  assert.match(helpText(sim.options(new OptionSet()), sim.usage, sim.describe, 80).replace(/\s+/g, ' '), /--node node name \(repeatable; default pve\) \[string, repeatable\]/);
});
