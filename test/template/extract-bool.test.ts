// The plugin's bool settings (iso_download_pve, unmount, unmount_iso, keep_cdrom_device) as Packer
// decodes them: cty converts true/false and the strings "true"/"false"/"1"/"0" (checked with
// Packer 1.6.6: `unmount_iso = "1"` validates, "yes please", "True" and 1 do not); anything else
// makes Packer refuse the template, so extraction reports it at the attribute, exit 2.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HclxError, TemplateError, TemplateErrors } from '../../src/errors.js';
import { UnknownValue } from '../../src/hcl/model.js';
import type { Value } from '../../src/hcl/model.js';
import { createTemplateContext } from '../../src/template/context.js';
import { extractIsoSpecs, packerBool } from '../../src/template/extract.js';
import { wantsPveDownload } from '../../src/template/iso-spec.js';
import type { IsoSpec } from '../../src/template/iso-spec.js';
import { loadTemplate } from '../../src/template/load.js';
import { collectVariables } from '../../src/template/variables.js';
import { tempDir } from '../support/temp.js';

const CONNECTION = `  proxmox_url = "https://pve:8006/api2/json"
  username    = "root@pam"
  password    = "x"
  node        = "pve"
`;
const DOWNLOAD = `    iso_url          = "https://example.org/x.iso"
    iso_checksum     = "none"
    iso_storage_pool = "local"
`;

/** Extracts the specs of one template file written from `text`, with `-var` pairs. */
async function extract(text: string, vars: Array<[string, string]> = [], name = 't.pkr.hcl'): Promise<IsoSpec[]> {
  const dir = tempDir('extract-bool');
  writeFileSync(join(dir, name), text);
  const template = await loadTemplate(name, { cwd: dir });
  const variables = await collectVariables(template, { env: {}, varFiles: [], vars });
  return extractIsoSpecs(template, createTemplateContext(template, variables, {}).base);
}

async function extractError(text: string, vars: Array<[string, string]> = [], name = 't.pkr.hcl'): Promise<HclxError> {
  try {
    await extract(text, vars, name);
  } catch (e) {
    assert.ok(e instanceof HclxError, `not an HclxError: ${String(e)}`);
    return e;
  }
  assert.fail('extraction accepted the template');
}

function bootIso(body: string, type = 'proxmox-iso'): string {
  return `source "${type}" "t" {\n${CONNECTION}  boot_iso {\n${body}  }\n}\nbuild {\n  sources = ["source.${type}.t"]\n}\n`;
}

describe('packerBool: cty conversion to bool', () => {
  test('bools, the strings "true"/"1"/"false"/"0", null and unknown values convert', () => {
    const cases: Array<[Value, boolean | null]> = [
      [true, true],
      [false, false],
      ['true', true],
      ['1', true],
      ['false', false],
      ['0', false],
      [null, null],
    ];
    for (const [input, expected] of cases) assert.deepEqual(packerBool(input), { ok: true, value: expected }, JSON.stringify(input));
    const unknown = new UnknownValue('from vault()');
    assert.deepEqual(packerBool(unknown), { ok: true, value: unknown });
  });

  test('anything else is refused with cty\'s reason', () => {
    const refused: Array<[Value, RegExp]> = [
      ['yes please', /^a bool is required$/],
      ['yes', /^a bool is required$/],
      ['', /^a bool is required$/],
      [' true', /^a bool is required$/],
      ['True', /use lowercase "true"/],
      ['FALSE', /use lowercase "false"/],
      [1, /^bool required$/],
      [0, /^bool required$/],
      [['true'], /^bool required$/],
      [{ a: true }, /^bool required$/],
    ];
    for (const [input, reason] of refused) {
      const r = packerBool(input);
      assert.equal(r.ok, false, JSON.stringify(input));
      if (!r.ok) assert.match(r.problem, reason, JSON.stringify(input));
    }
  });
});

describe('bool ISO settings in extraction', () => {
  test('iso_download_pve = "yes please" is a template error at the attribute, exit 2', async () => {
    const e = await extractError(bootIso(`${DOWNLOAD}    iso_download_pve = "yes please"\n`));
    assert.ok(e instanceof TemplateError);
    assert.equal(e.exitCode, 2);
    assert.equal(e.code, 'E_ISO_BOOL');
    assert.match(e.describe(), /^t\.pkr\.hcl:10:5: source\.proxmox-iso\.t boot_iso: iso_download_pve = "yes please" is not a bool, .*a bool is required\)\. Write iso_download_pve = true or iso_download_pve = false/);
  });

  test('unmount and keep_cdrom_device in a block, unmount_iso and iso_download_pve at top level', async () => {
    const block = await extractError(bootIso(`    iso_file = "local:iso/x.iso"\n    unmount  = "no"\n`));
    assert.match(block.describe(), /^t\.pkr\.hcl:8:5: .*unmount = "no" is not a bool/);
    const keep = await extractError(
      `source "proxmox-iso" "t" {\n${CONNECTION}  additional_iso_files {\n    iso_file          = "local:iso/x.iso"\n    keep_cdrom_device = "True"\n  }\n}\nbuild {\n  sources = ["source.proxmox-iso.t"]\n}\n`,
    );
    assert.match(keep.describe(), /^t\.pkr\.hcl:8:5: source\.proxmox-iso\.t additional_iso_files\[0\]: keep_cdrom_device = "True" .*use lowercase "true"\)\. Write keep_cdrom_device = true\.$/);
    const topLevel = `source "proxmox" "t" {\n${CONNECTION}  iso_file    = "local:iso/x.iso"\n  unmount_iso = 1\n}\nbuild {\n  sources = ["source.proxmox.t"]\n}\n`;
    const legacy = await extractError(topLevel);
    assert.match(legacy.describe(), /^t\.pkr\.hcl:7:3: source\.proxmox\.t top-level ISO settings: unmount_iso = 1 is not a bool, .*bool required\)/);
    const flag = await extractError(topLevel.replace('unmount_iso = 1', 'iso_download_pve = "on"'));
    assert.match(flag.describe(), /^t\.pkr\.hcl:7:3: .*iso_download_pve = "on" is not a bool/);
  });

  test('an ISO that does not download is checked too: Packer refuses the template either way', async () => {
    const e = await extractError(bootIso(`    iso_file = "local:iso/x.iso"\n    unmount  = ["yes"]\n`));
    assert.equal(e.exitCode, 2);
    assert.match(e.describe(), /unmount = \["yes"\] is not a bool/);
  });

  test('the strings Packer converts become bools for every later stage', async () => {
    const [one] = await extract(bootIso(`${DOWNLOAD}    iso_download_pve = "1"\n    unmount          = "0"\n    keep_cdrom_device = "true"\n`));
    assert.equal(one!.fields.iso_download_pve!.value, true);
    assert.equal(one!.fields.unmount!.value, false);
    assert.equal(one!.fields.keep_cdrom_device!.value, true);
    assert.equal(wantsPveDownload(one!), true);
    const [off] = await extract(bootIso(`${DOWNLOAD}    iso_download_pve = "false"\n`));
    assert.equal(wantsPveDownload(off!), false);
    const [unset] = await extract(bootIso(`${DOWNLOAD}    iso_download_pve = null\n`));
    assert.equal(unset!.fields.iso_download_pve!.value, null);
  });

  test('a value from a variable names the expression and the value it has', async () => {
    const text = `variable "u" {\n  type = string\n}\n${bootIso(`    iso_file = "local:iso/x.iso"\n    unmount  = var.u\n`)}`;
    const e = await extractError(text, [['u', 'yes']]);
    assert.match(e.describe(), /^t\.pkr\.hcl:11:5: .*unmount = var\.u \("yes"\) is not a bool/);
    const [ok] = await extract(text, [['u', '1']]);
    assert.equal(ok!.fields.unmount!.value, true);
  });

  test('an unknown value stays unknown (validation decides whether hclx needs it)', async () => {
    const [spec] = await extract(bootIso(`    iso_file = "local:iso/x.iso"\n    unmount  = vault("secret/x", "u")\n`));
    assert.ok(spec!.fields.unmount!.value instanceof UnknownValue);
  });

  test('unmount_iso inside a block is not the plugin\'s bool there: left to the schema check', async () => {
    const [spec] = await extract(bootIso(`    iso_file    = "local:iso/x.iso"\n    unmount_iso = "maybe"\n`));
    assert.equal(spec!.fields.unmount_iso!.value, 'maybe');
  });

  test('every bad value is reported, each attribute once even when two builds use the source', async () => {
    const text = `source "proxmox-iso" "t" {\n${CONNECTION}  boot_iso {\n    iso_file = "local:iso/x.iso"\n    unmount  = "y"\n  }\n  additional_iso_files {\n    iso_file = "local:iso/y.iso"\n    unmount  = 2\n  }\n}\nbuild {\n  sources = ["source.proxmox-iso.t"]\n}\nbuild {\n  name    = "again"\n  sources = ["source.proxmox-iso.t"]\n}\n`;
    const e = await extractError(text);
    assert.ok(e instanceof TemplateErrors, e.describe());
    assert.deepEqual(
      e.errors.map((x) => x.describe().replace(/ is not a bool.*/, '')),
      ['t.pkr.hcl:8:5: source.proxmox-iso.t boot_iso: unmount = "y"', 't.pkr.hcl:12:5: source.proxmox-iso.t additional_iso_files[0]: unmount = 2'],
    );
  });

  test('dynamic block instances are checked with their own values', async () => {
    const text = `source "proxmox-iso" "t" {\n${CONNECTION}  dynamic "additional_iso_files" {\n    for_each = ["1", "maybe"]\n    content {\n      iso_file = "local:iso/x\${additional_iso_files.key}.iso"\n      unmount  = additional_iso_files.value\n    }\n  }\n}\nbuild {\n  sources = ["source.proxmox-iso.t"]\n}\n`;
    const e = await extractError(text);
    assert.match(e.describe(), /^t\.pkr\.hcl:10:7: .*instance 2 of 2.*unmount = additional_iso_files\.value \("maybe"\) is not a bool/);
  });

  test('JSON syntax: the error points at the property', async () => {
    const json = JSON.stringify(
      {
        source: { 'proxmox-iso': { t: { proxmox_url: 'https://pve:8006/api2/json', node: 'pve', boot_iso: { iso_file: 'local:iso/x.iso', unmount: 'yes' } } } },
        build: { sources: ['source.proxmox-iso.t'] },
      },
      null,
      2,
    );
    const e = await extractError(json, [], 't.pkr.json');
    const line = json.split('\n').findIndex((l) => l.includes('"unmount"')) + 1;
    assert.match(e.describe(), new RegExp(`^t\\.pkr\\.json:${line}:\\d+: .*unmount = "yes" is not a bool`));
    const [ok] = await extract(json.replace('"yes"', '"true"'), [], 't.pkr.json');
    assert.equal(ok!.fields.unmount!.value, true);
  });
});
