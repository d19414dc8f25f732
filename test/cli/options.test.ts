// hclx's double-dash options through yargs (src/cli/options.ts): types, defaults, choices, --no-X,
// repeatable options, a usage error naming the option for every mistake, and the help text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optionParser } from '../../src/cli/options.js';
import { defineCommand } from '../../src/cli/command.js';
import { UsageError } from '../../src/errors.js';
import { command as render } from '../../src/cli/commands/render.js';
import { command as sim } from '../../src/cli/commands/sim.js';

const spec = defineCommand({
  name: 'render',
  describe: 'Render it.',
  usage: 'render [options] TEMPLATE',
  options: (y) =>
    y
      .option('out', { alias: 'output', type: 'string', describe: 'where' })
      .option('target', { type: 'string', choices: ['auto', 'modern', 'legacy'], default: 'auto', describe: 'dialect' })
      .option('verify-iso-certificates', { type: 'boolean', default: true, describe: 'verify' })
      .option('offline', { type: 'boolean', default: false, describe: 'offline' })
      .option('parallel', { type: 'number', default: 4, describe: 'how many' })
      .option('stall-timeout', { type: 'string', default: '5m', describe: 'limit' })
      .option('node', { type: 'string', array: true, describe: 'repeatable' })
      .option('tls', { type: 'boolean', describe: 'no default' }),
  run: async () => 0,
});

const parse = (tokens: string[]) => optionParser(spec, 100).parse(tokens).options;
const usageError = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && e.exitCode === 2 && pattern.test(e.describe()) && !e.describe().includes('\n');

test('values in all three spellings, camelCase keys, defaults for what is not given', () => {
  const a = parse(['--out', 'dir', '--parallel=2', '--offline', '--node', 'a', '--node=b', '--stall-timeout', '10s']);
  assert.deepEqual([a.out, a.parallel, a.offline, a.node, a.target, a.verifyIsoCertificates, a.stallTimeout, a.tls], ['dir', 2, true, ['a', 'b'], 'auto', true, '10s', undefined]);
  const b = parse(['--output=x', '--no-verify-iso-certificates', '--offline=false', '--target', 'legacy', '--tls']);
  assert.deepEqual([b.out, b.verifyIsoCertificates, b.offline, b.target, b.parallel, b.node, b.tls], ['x', false, false, 'legacy', 4, undefined, true]);
  assert.equal(optionParser(spec, 100).parse(['--help']).help !== undefined, true);
});

test('every mistake is a one-paragraph usage error (exit 2) that names the option', () => {
  assert.throws(() => parse(['--bogus', 'x']), usageError(/unknown option '--bogus'.*hclx render --help/s));
  assert.throws(() => parse(['--bogus-opt']), usageError(/unknown option '--bogus-opt'\./));
  assert.throws(() => parse(['--target', 'newest']), usageError(/invalid value: --target "newest" is not one of "auto", "modern", "legacy"\./));
  assert.throws(() => parse(['--parallel', 'many']), usageError(/--parallel needs a number\./));
  assert.throws(() => parse(['--parallel', '']), usageError(/--parallel needs a number\./));
  assert.throws(() => parse(['--parallel=']), usageError(/--parallel needs a number\./));
  assert.throws(() => parse(['--parallel', ' ']), usageError(/--parallel needs a number\./));
  assert.throws(() => parse(['--out']), usageError(/--out needs a value\./));
  assert.throws(() => parse(['--stall-timeout']), usageError(/--stall-timeout needs a value\./));
  assert.throws(() => parse(['--offline=yes']), usageError(/--offline is a switch/));
  assert.throws(() => parse(['--out', 'a', '--out', 'b']), usageError(/--out is given more than once/));
  assert.throws(() => parse(['--no-out']), usageError(/--out takes a value; there is no --no-out/));
  assert.throws(() => parse(['--no-target']), usageError(/--target takes a value; there is no --no-target/));
});

test('booleanOptions tells splitArgs which options never take the next token', () => {
  assert.deepEqual([...optionParser(spec, 100).booleanOptions].sort(), ['help', 'offline', 'tls', 'verify-iso-certificates']);
});

test('help lists every option of a real command with its type, choices and default, in English whatever the locale', () => {
  const saved = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL };
  process.env.LANG = process.env.LC_ALL = 'de_DE.UTF-8';
  try {
    const text = optionParser(render, 100).parse(['--help']).help!;
    assert.match(text, /^Usage: hclx render /);
    assert.match(text, /^Options:$/m);
    for (const name of ['out', 'offline', 'json', 'target', 'parallel', 'stall-timeout', 'iso-name', 'verify-iso-certificates', 'ca-file', 'log-level']) assert.match(text, new RegExp(`--${name}\\b`));
    assert.match(text.replace(/\s+/g, ' '), /--target dialect of the rewritten ISO blocks \[string\] \[choices: "auto", "modern", "legacy"\] \[default: "auto"\]/);
    assert.ok(text.split('\n').every((line) => line.length <= 100), text);
    assert.match(optionParser(sim, 80).parse(['--help']).help!.replace(/\s+/g, ' '), /--node node name \(repeatable; default pve\) \[array\]/);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
