import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { PackerFlag } from '../../src/packer/flags.js';
import { findOnPath } from '../../src/packer/locate.js';
import { validatePacker } from '../../src/packer/validate.js';

const realPacker = findOnPath('packer', process.env, process.cwd());
const TEMPLATES = resolve('fixtures/packer/templates');
const flag = (tokens: string[], name: string, value?: string): PackerFlag => ({ name, value, tokens });
const validate = (template: string, flags: PackerFlag[] = []) =>
  validatePacker({ packer: { path: realPacker! }, flags, template, cwd: TEMPLATES, env: { ...process.env, CHECKPOINT_DISABLE: '1' }, signal: new AbortController().signal });

describe('validatePacker with the real Packer', { skip: !realPacker && 'packer is not installed' }, () => {
  it('accepts a valid template', async () => {
    const result = await validate('valid.pkr.hcl');
    assert.equal(result.ok, true, result.stdout);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(result.diagnostics, []);
  });
  it('accepts the legacy proxmox-iso dialect hclx emits for Packer 1.6.6', async () => {
    const result = await validate('legacy-proxmox.pkr.hcl');
    assert.equal(result.ok, true, result.stdout);
  });
  it('passes flags verbatim (a -var the template declares)', async () => {
    assert.equal((await validate('valid.pkr.hcl', [flag(['-var', 'greeting=hi'], 'var', 'greeting=hi')])).ok, true);
  });
  it('fails with exit 1 and the diagnostic with its file and line', async () => {
    const result = await validate('iso-download-pve.pkr.hcl');
    assert.equal(result.ok, false);
    assert.equal(result.exitCode, 1);
    assert.equal(result.stderr, '');
    assert.deepEqual(
      result.diagnostics.map((d) => [d.file, d.line, d.summary, d.detail]),
      [['iso-download-pve.pkr.hcl', 10, 'Unsupported argument', 'An argument named "iso_download_pve" is not expected here.']],
    );
  });
  it('reads the errors of -machine-readable output too', async () => {
    const result = await validate('boot-iso-block.pkr.hcl', [flag(['-machine-readable'], 'machine-readable')]);
    assert.equal(result.ok, false);
    assert.match(result.stdout, /^\d+,,ui,error,Error: Unsupported block type/);
    assert.deepEqual(result.diagnostics.map((d) => [d.file, d.line, d.summary]), [['boot-iso-block.pkr.hcl', 8, 'Unsupported block type']]);
  });
  it('reports an undeclared -var as Packer does', async () => {
    const result = await validate('valid.pkr.hcl', [flag(['-var', 'nope=1'], 'var', 'nope=1')]);
    assert.equal(result.ok, false);
    assert.deepEqual(result.diagnostics.map((d) => d.summary), ['Undefined -var variable']);
  });
});
