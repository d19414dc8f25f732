import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTemplate } from '../../src/template/load.js';
import { collectVariables } from '../../src/template/variables.js';
import type { VariableInputs } from '../../src/template/variables.js';
import { HclxError, TemplateErrors, UsageError } from '../../src/errors.js';
import { redactSecrets } from '../../src/log.js';

const FIXTURES = new URL('../../fixtures/template/', import.meta.url).pathname;

async function collect(inputs: Partial<VariableInputs>, warn?: (w: string) => void, arg = 'variables') {
  const template = await loadTemplate(arg, { cwd: FIXTURES });
  return collectVariables(template, { env: {}, varFiles: [], vars: [], ...inputs }, warn ? { warn } : {});
}

test('precedence: default < PKR_VAR_ < auto var files (HCL, then JSON) < -var-file in order < -var', async () => {
  const warnings: string[] = [];
  const v = await collect(
    {
      env: { PKR_VAR_from_env: 'env', PKR_VAR_from_auto_hcl: 'env', PKR_VAR_not_declared: 'x', HCLX_TEST_HOME: '/home/ci' },
      varFiles: ['variables/first.pkrvars.hcl', 'variables/second.pkrvars.hcl'],
      vars: [['from_cli', 'cli-1'], ['from_cli', 'cli-2']],
    },
    (w) => warnings.push(w),
  );
  assert.equal(v.object.from_default, 'default');
  assert.equal(v.object.from_env, 'env');
  assert.equal(v.object.from_auto_hcl, 'auto-hcl');
  assert.equal(v.object.from_auto_json, 'auto-json');
  assert.equal(v.object.from_var_file, 'second');
  assert.equal(v.object.from_cli, 'cli-2');
  assert.equal(v.values.get('from_cli')!.from, 'cli');
  assert.equal(v.values.get('from_var_file')!.from, 'var-file');
  assert.equal(v.object.cores, 4, 'converted to the declared number type');
  assert.equal(v.object.home, '/home/ci', 'env() works in defaults');
  assert.equal(v.object.optional, null, 'default = null makes a variable optional');
  assert.deepEqual(v.object.untyped, { a: 1 });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /first\.pkrvars\.hcl:4:1: "not_declared" is set in a var file but no variable "not_declared" is declared/);
});

test('-var values: strings stay strings, list types are parsed as HCL, numbers are converted', async () => {
  const v = await collect({ vars: [['mirrors', '["https://a/x.iso", "https://b/x.iso"]'], ['cores', '8'], ['from_cli', '[not parsed]']] });
  assert.deepEqual(v.object.mirrors, ['https://a/x.iso', 'https://b/x.iso']);
  assert.equal(v.object.cores, 8);
  assert.equal(v.object.from_cli, '[not parsed]');
});

test('a value of the wrong type is an error at the place it was written', async () => {
  await assert.rejects(collect({ vars: [['cores', 'many']] }), (e: unknown) => e instanceof HclxError && e.exitCode === 2 && /-var cores/.test(e.describe()));
});

test('an undeclared -var is a usage error with a suggestion', async () => {
  await assert.rejects(collect({ vars: [['form_cli', 'x']] }), (e: unknown) => e instanceof UsageError && /Did you mean "from_cli"\?/.test(e.describe()));
});

test('sensitive values are registered as secrets', async () => {
  await collect({ vars: [['token', 'abcd-sensitive-value']] });
  assert.equal(redactSecrets('token is abcd-sensitive-value'), 'token is <sensitive>');
});

test('every unset variable is reported, with the flag that sets it', async () => {
  await assert.rejects(collect({}, undefined, 'unset'), (e: unknown) => {
    assert.ok(e instanceof TemplateErrors);
    assert.equal(e.exitCode, 2);
    assert.deepEqual(
      e.errors.map((x) => x.describe().replace(/ Supply.*/, '')),
      ['unset/vars.pkr.hcl:1:1: variable "proxmox_url" is not set: it has no default and no value was given.', 'unset/vars.pkr.hcl:5:1: variable "iso_url" is not set: it has no default and no value was given.'],
    );
    assert.match(e.errors[1]!.describe(), /Supply it with -var 'iso_url=\.\.\.', in a -var-file, or as PKR_VAR_iso_url/);
    return true;
  });
  const v = await collect({ env: { PKR_VAR_proxmox_url: 'https://pve:8006/api2/json', PKR_VAR_iso_url: 'https://h/x.iso' } }, undefined, 'unset');
  assert.equal(v.object.iso_url, 'https://h/x.iso');
});
