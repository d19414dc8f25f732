// The one block schema for HCL's JSON syntax: what the parser reads as blocks by default is what
// the template stages ask for, and the Proxmox plugin's list-typed settings stay attributes.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { BUILD_SCHEMA, PROXMOX_SOURCE_SCHEMA, ROOT_SCHEMA, defaultJsonSchema } from '../../src/hcl/json-schema.js';
import type { Block } from '../../src/hcl/model.js';
import { parseFile } from '../../src/hcl/parse.js';

const SOURCE = JSON.stringify(
  {
    source: {
      'proxmox-iso': {
        win: {
          serials: ['socket'],
          vm_interface: 'eth0',
          boot_iso: { iso_file: 'local:iso/w.iso' },
          additional_iso_files: [{ iso_file: 'local:iso/a.iso' }, { iso_file: 'local:iso/b.iso' }],
          ipconfig: [{ ip: 'dhcp' }],
        },
      },
    },
  },
  null,
  2,
);

describe('JSON-syntax block schema', () => {
  it('reads serials and vm_interface as attributes, the plugin blocks as blocks', async () => {
    const file = await parseFile({ path: '/x/w.pkr.json', displayPath: 'w.pkr.json', text: SOURCE });
    const source = file.body.content(ROOT_SCHEMA)[0] as Block;
    const items = source.body.content(PROXMOX_SOURCE_SCHEMA).map((i) => `${i.kind}:${i.kind === 'block' ? i.type : i.name}`);
    assert.deepEqual(items, ['attribute:serials', 'attribute:vm_interface', 'block:boot_iso', 'block:additional_iso_files', 'block:additional_iso_files', 'block:ipconfig']);
    // Without a schema the parser uses the same one.
    assert.deepEqual(source.body.content().map((i) => i.kind), source.body.content(PROXMOX_SOURCE_SCHEMA).map((i) => i.kind));
  });

  it('is one definition: the default schema by path and the template stages name the same objects', () => {
    assert.equal(defaultJsonSchema([]), ROOT_SCHEMA);
    assert.equal(defaultJsonSchema(['build']), BUILD_SCHEMA);
    assert.equal(defaultJsonSchema(['source']), PROXMOX_SOURCE_SCHEMA);
    assert.equal(defaultJsonSchema(['build', 'source']), PROXMOX_SOURCE_SCHEMA);
    assert.deepEqual(defaultJsonSchema(['locals']).blocks, {});
  });

  it('is defined nowhere else: no other module writes a schema of its own', () => {
    // A private copy drifts (serials and vm_interface once were blocks in one copy only), so every
    // stage names the schemas of src/hcl/json-schema.ts.
    const src = new URL('../../src/', import.meta.url).pathname;
    const copies: string[] = [];
    const walk = (dir: string, depth: number): void => {
      if (depth > 6) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path, depth + 1);
        else if (entry.name.endsWith('.ts') && relative(src, path) !== join('hcl', 'json-schema.ts')) {
          const text = readFileSync(path, 'utf8');
          if (/\bblocks\s*:\s*\{/.test(text) || /body-schema/.test(text)) copies.push(relative(src, path));
        }
      }
    };
    walk(src, 0);
    assert.ok(copies.length === 0, `block schemas defined outside src/hcl/json-schema.ts: ${copies.join(', ')}`);
  });
});
