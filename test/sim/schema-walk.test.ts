// Walks PVE 9.1's API schema (the researched copy in /work/shared/docs, and the simulator's own
// vendored copy, which must be identical) and checks that every endpoint in it accepts valid
// parameters and rejects missing, mistyped and unknown ones with PVE's exact messages. The
// endpoints the simulator describes itself (qemu, cluster, ...) are walked for rejections too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator } from '../../src/sim/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { allEndpoints, methodInfo } from '../../src/sim/api-schema.js';
import type { PropSchema } from '../../src/sim/param-schema.js';
import { login, request } from './client.js';
import type { Session } from './client.js';
import { SHARED_DOCS, sharedSkip } from '../support/shared.js';

const SHARED = join(SHARED_DOCS, 'pve-api-schema.json');
const VENDORED = new URL('../../src/sim/pve-api-schema.json', import.meta.url);
const schemaText = readFileSync(existsSync(SHARED) ? SHARED : VENDORED, 'utf8');
const schema = JSON.parse(schemaText) as { endpoints: Record<string, Record<string, { parameters: { properties?: Record<string, PropSchema> } }>> };

let sim: SimHandle;
let session: Session;
let upid: string;

before(async () => {
  sim = await startSimulator({ mirrorFiles: { 'walk.iso': 64 * 1024 } });
  session = await login(sim);
  const r = await request(`${sim.apiUrl}/nodes/pve/storage/local/download-url`, {
    method: 'POST',
    headers: session.headers,
    form: { url: `${sim.mirrorUrl}walk.iso`, content: 'iso', filename: 'seed.iso' },
  });
  upid = r.json.data;
});
after(() => sim.stop());

const PATH_VALUES: Record<string, () => string> = {
  node: () => 'pve',
  storage: () => 'local',
  volume: () => 'local:iso/walk.iso',
  upid: () => upid,
  vmid: () => '100',
};

/** A value PVE accepts for a property (for the valid baseline). */
function sample(name: string, p: PropSchema): string {
  if (name === 'username') return 'root@pam';
  if (name === 'password') return 'hclx-sim';
  if (name === 'url') return `${sim.mirrorUrl}walk.iso`;
  if (name === 'filename') return 'walk.iso';
  if (p.enum && p.enum.length) return p.enum[0]!;
  if (p.type === 'boolean') return '1';
  if (p.type === 'integer') return String(p.minimum ?? 1);
  if (p.format === 'pve-node') return 'pve';
  if (p.format === 'pve-storage-id') return 'local';
  return 'x';
}

function fillPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, (_m, n: string) => encodeURIComponent(PATH_VALUES[n]!()));
}

function call(method: string, path: string, params: Record<string, string>, json = false) {
  const url = `${sim.apiUrl}${fillPath(path)}`;
  const headers = path === '/access/ticket' ? {} : session.headers;
  if (method === 'GET' || method === 'DELETE') return request(`${url}?${new URLSearchParams(params)}`, { method, headers });
  return json ? request(url, { method, headers, json: params }) : request(url, { method, headers, form: params });
}

async function expectRejected(method: string, path: string, params: Record<string, string>, prop: string, message: string) {
  const r = await call(method, path, params);
  assert.equal(r.status, 400, `${method} ${path} ${prop}: ${r.status} ${r.body}`);
  assert.equal(r.reason, 'Parameter verification failed.');
  assert.equal(r.json.message, 'Parameter verification failed.\n');
  assert.equal(r.json.errors?.[prop], message, `${method} ${path}: errors.${prop}`);
}

function pathParams(path: string): Set<string> {
  return new Set([...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!));
}

test('the vendored schema is the researched PVE 9.1 schema, unchanged', { skip: sharedSkip(SHARED) }, () => {
  assert.equal(readFileSync(VENDORED, 'utf8'), readFileSync(SHARED, 'utf8'));
});

for (const [path, methods] of Object.entries(schema.endpoints)) {
  for (const [method, info] of Object.entries(methods)) {
    if (path.endsWith('/upload')) continue; // multipart: walked in upload.test.ts
    test(`${method} ${path} follows the PVE schema`, async () => {
      assert.deepEqual(methodInfo(path, method)?.parameters, info.parameters, 'the simulator checks against exactly this schema');
      const props = info.parameters.properties ?? {};
      const fixed = pathParams(path);
      const base: Record<string, string> = {};
      for (const [name, p] of Object.entries(props)) if (!p.optional && !fixed.has(name)) base[name] = sample(name, p);
      writeFileSync(join(sim.isoDir('local'), 'walk.iso'), 'walk');

      // The baseline with only the required parameters passes verification.
      const ok = await call(method, path, base);
      assert.ok(!(ok.status === 400 && ok.reason === 'Parameter verification failed.' && Object.keys(ok.json?.errors ?? {}).some((k) => k in props || k === 'bogus')), `${method} ${path} baseline rejected: ${ok.body}`);

      await expectRejected(method, path, { ...base, 'bogus-param': '1' }, 'bogus-param', 'property is not defined in schema and the schema does not allow additional properties');
      for (const [name, p] of Object.entries(props)) {
        if (fixed.has(name)) continue;
        if (!p.optional) {
          const without = { ...base };
          delete without[name];
          await expectRejected(method, path, without, name, 'property is missing and it is not optional');
        }
        if (p.enum) {
          // The named format is checked first, so the probe must be a valid content type outside the enum.
          const off = p.format === 'pve-storage-content' ? 'backup' : 'bogus';
          await expectRejected(method, path, { ...base, [name]: off }, name, `value '${off}' does not have a value in the enumeration '${p.enum.join(', ')}'`);
          if (p.format === 'pve-storage-content') await expectRejected(method, path, { ...base, [name]: 'bogus' }, name, "invalid format - invalid content type 'bogus'\n");
        }
        if (p.type === 'boolean') {
          await expectRejected(method, path, { ...base, [name]: 'true' }, name, "type check ('boolean') failed - got 'true'");
          const asJson = await call(method, path, { ...base, [name]: true as unknown as string }, method === 'POST');
          if (method === 'POST') assert.ok(!asJson.json?.errors?.[name], `JSON true accepted for ${name}: ${asJson.body}`);
        }
        if (p.type === 'integer') {
          await expectRejected(method, path, { ...base, [name]: '1.5' }, name, "type check ('integer') failed - got '1.5'");
          // PVE checks a named format before the bounds, so bounds are probed where there is none.
          if (p.minimum !== undefined && !p.format) await expectRejected(method, path, { ...base, [name]: String(p.minimum - 1) }, name, `value must have a minimum value of ${p.minimum}`);
          if (p.maximum !== undefined && !p.format) await expectRejected(method, path, { ...base, [name]: String(p.maximum + 1) }, name, `value must have a maximum value of ${p.maximum}`);
        }
        if (p.pattern) await expectRejected(method, path, { ...base, [name]: ' no-match' }, name, 'value does not match the regex pattern');
        if (p.maxLength !== undefined && !p.pattern && !p.format) await expectRejected(method, path, { ...base, [name]: 'a'.repeat(p.maxLength + 1) }, name, `value may only be ${p.maxLength} characters long`);
        if (p.requires) await expectRejected(method, path, { ...base, [name]: sample(name, p) }, p.requires, `missing property - '${name}' requires this property`);
        if (p.format === 'pve-node') await expectRejected(method, path, { ...base, [name]: 'bad_node' }, name, 'invalid format - value does not look like a valid node name\n');
        if (p.format === 'pve-storage-id') await expectRejected(method, path, { ...base, [name]: '9x' }, name, "invalid format - storage ID '9x' contains illegal characters\n");
      }
    });
  }
}

test('url patterns are anchored as PVE anchors them', async () => {
  await expectRejected('POST', '/nodes/{node}/storage/{storage}/download-url', { url: 'HTTP://x/y.iso', content: 'iso', filename: 'y.iso' }, 'url', 'value does not match the regex pattern');
  await expectRejected('POST', '/nodes/{node}/storage/{storage}/download-url', { url: 'ftp://x/http://y.iso', content: 'iso', filename: 'y.iso' }, 'url', 'value does not match the regex pattern');
});

test('path parameters are verified too', async () => {
  const r = await request(`${sim.apiUrl}/nodes/bad_node/storage`, { headers: session.headers });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors.node, 'invalid format - value does not look like a valid node name\n');
});

test('the simulator-described endpoints reject unknown, missing and mistyped parameters', async () => {
  for (const { path, method, fromPveSchema } of allEndpoints()) {
    if (fromPveSchema) continue;
    const info = methodInfo(path, method)!;
    const props = info.parameters.properties ?? {};
    const fixed = pathParams(path);
    const base: Record<string, string> = {};
    for (const [name, p] of Object.entries(props)) if (!p.optional && !fixed.has(name)) base[name] = sample(name, p);
    await expectRejected(method, path, { ...base, 'bogus-param': '1' }, 'bogus-param', 'property is not defined in schema and the schema does not allow additional properties');
    for (const [name, p] of Object.entries(props)) {
      if (fixed.has(name)) continue;
      if (!p.optional) {
        const without = { ...base };
        delete without[name];
        await expectRejected(method, path, without, name, 'property is missing and it is not optional');
      }
      if (p.type === 'boolean') await expectRejected(method, path, { ...base, [name]: 'true' }, name, "type check ('boolean') failed - got 'true'");
      if (p.enum) await expectRejected(method, path, { ...base, [name]: 'bogus' }, name, `value 'bogus' does not have a value in the enumeration '${p.enum.join(', ')}'`);
    }
  }
});

test('the endpoints a plugin v1.2.x build needs are described, and so walked above', async () => {
  const described = allEndpoints().filter((e) => !e.fromPveSchema).map((e) => `${e.method} ${e.path}`);
  for (const e of ['GET /access/permissions', 'GET /storage/{storage}', 'PUT /nodes/{node}/qemu/{vmid}/resize', 'PUT /nodes/{node}/qemu/{vmid}/sendkey', 'GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces']) {
    assert.ok(described.includes(e), `${e} is described`);
  }
  // qemu-server's valid_drive_names order: ide, scsi, virtio, sata, efidisk0, tpmstate0.
  const enumText = ['ide0', 'ide1', 'ide2', 'ide3', ...Array.from({ length: 31 }, (_, i) => `scsi${i}`), ...Array.from({ length: 16 }, (_, i) => `virtio${i}`), ...Array.from({ length: 6 }, (_, i) => `sata${i}`), 'efidisk0', 'tpmstate0'].join(', ');
  await expectRejected('PUT', '/nodes/{node}/qemu/{vmid}/resize', { disk: 'nvme0', size: '1G' }, 'disk', `value 'nvme0' does not have a value in the enumeration '${enumText}'`);
  await expectRejected('PUT', '/nodes/{node}/qemu/{vmid}/resize', { disk: 'scsi0', size: '1.5 G' }, 'size', 'value does not match the regex pattern');
  await expectRejected('GET', '/access/permissions', { userid: 'root@pam!' }, 'userid', 'value does not match the regex pattern');
  await expectRejected('PUT', '/nodes/{node}/qemu/{vmid}/sendkey', {}, 'key', 'property is missing and it is not optional');
});
