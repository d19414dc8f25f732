import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitArgs } from '../../src/cli/args.js';
import { flagIsSet, parseVarFlags } from '../../src/packer/flags.js';
import { UsageError } from '../../src/errors.js';

const booleans = new Set(['offline', 'json']);

test('splits hclx options, Go-style Packer flags and the template path', () => {
  const s = splitArgs(['--target', 'legacy', '--offline', '-var', 'a=b', '-var-file=x.pkrvars.hcl', '-force', 'dir'], { packer: 'build', booleanOptions: booleans });
  assert.deepEqual(s.hclxArgs, ['--target', 'legacy', '--offline']);
  assert.deepEqual(s.packerFlags.map((f) => f.tokens), [['-var', 'a=b'], ['-var-file=x.pkrvars.hcl'], ['-force']]);
  assert.deepEqual(s.positionals, ['dir']);
});

test('a boolean Packer flag never swallows the template path', () => {
  const s = splitArgs(['-debug', 'template.pkr.hcl'], { packer: 'build', booleanOptions: booleans });
  assert.deepEqual(s.positionals, ['template.pkr.hcl']);
  assert.equal(flagIsSet(s.packerFlags, 'debug'), true);
  assert.equal(flagIsSet(splitArgs(['-debug=false', 't'], { packer: 'build', booleanOptions: booleans }).packerFlags, 'debug'), false);
});

test('flags after the template path are a usage error, as in Packer', () => {
  assert.throws(() => splitArgs(['t.pkr.hcl', '-var', 'a=b'], { packer: 'build', booleanOptions: booleans }), UsageError);
});

test('unknown single-dash flags are refused with the list of accepted ones', () => {
  assert.throws(
    () => splitArgs(['-nope', 't'], { packer: 'build', booleanOptions: booleans }),
    (e: unknown) => e instanceof UsageError && /unknown flag '-nope'.*-var-file/s.test(e.describe()),
  );
});

test('-var values split on the first = and need one', () => {
  const s = splitArgs(['-var', 'url=http://x/?a=b', 't'], { extraPackerFlags: { var: 'value' }, booleanOptions: booleans });
  assert.deepEqual(parseVarFlags(s.packerFlags), [['url', 'http://x/?a=b']]);
  const bad = splitArgs(['-var', 'novalue', 't'], { extraPackerFlags: { var: 'value' }, booleanOptions: booleans });
  assert.throws(() => parseVarFlags(bad.packerFlags), /expected NAME=VALUE/);
});
