// POST .../upload: streaming multipart, permission checked before the body, the imgcopy task,
// silent overwrite, checksum verification and the schema's parameter checks on the form fields.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator } from '../../src/sim/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { login, request, waitTask } from './client.js';
import type { Session } from './client.js';

let sim: SimHandle;
let s: Session;

before(async () => {
  sim = await startSimulator({ users: [{ userid: 'ro@pve', password: 'pw-ro' }], acls: [{ path: '/storage/local', ugid: 'ro@pve', privs: ['Datastore.Audit'] }] });
  s = await login(sim);
});
after(() => sim.stop());

function multipart(fields: Record<string, string>, file?: { filename: string; data: Buffer }): { body: Buffer; type: string } {
  const boundary = '----hclxsimBoundary7MA4YWxkTrZu0gW';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="filename"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

function upload(session: Session, fields: Record<string, string>, file?: { filename: string; data: Buffer }, storage = 'local') {
  const { body, type } = multipart(fields, file);
  // The ticket alone is enough: pveproxy skips the CSRF check for uploads.
  return request(`${sim.apiUrl}/nodes/pve/storage/${storage}/upload`, { method: 'POST', headers: { Cookie: `PVEAuthCookie=${session.ticket}`, 'Content-Type': type }, body });
}

// Bytes that contain the boundary's prefix and CRLFs, to exercise the parser's edges.
const DATA = Buffer.concat([Buffer.from('\r\n--\r\n------hclx'), Buffer.alloc(300_000, 0x2d), Buffer.from('end\r\n')]);

test('an upload streams into an imgcopy task and lands byte for byte', async () => {
  sim.resetStats();
  const r = await upload(s, { content: 'iso' }, { filename: 'up.iso', data: DATA });
  assert.equal(r.status, 200, r.body);
  assert.match(r.json.data, /^UPID:pve:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:imgcopy::root@pam:$/);
  const t = await waitTask(sim, s, r.json.data);
  assert.equal(t.exitstatus, 'OK');
  const dest = join(sim.isoDir('local'), 'up.iso');
  assert.match(t.log[0]!, /^starting file import from: .*\/pveupload-[0-9a-f]+$/);
  assert.ok(t.log.includes(`target file: ${dest}`));
  assert.ok(t.log.includes(`file size is: ${DATA.length}`));
  assert.ok(t.log.includes('finished file import successfully'));
  assert.deepEqual(readFileSync(dest), DATA);
  assert.equal(sim.stats().bytesReceivedByUpload, DATA.length);
  assert.deepEqual(readdirSync(join(sim.dataDir, '.var-tmp')), [], 'the spool file is gone');
});

test('an upload overwrites an existing file silently and verifies a checksum', async () => {
  const other = Buffer.from('second version');
  const { createHash } = await import('node:crypto');
  const sha = createHash('sha256').update(other).digest('hex');
  const r = await upload(s, { content: 'iso', 'checksum-algorithm': 'sha256', checksum: sha }, { filename: 'up.iso', data: other });
  const t = await waitTask(sim, s, r.json.data);
  assert.equal(t.exitstatus, 'OK');
  assert.ok(t.log.includes('calculating checksum...OK, checksum verified'));
  assert.deepEqual(readFileSync(join(sim.isoDir('local'), 'up.iso')), other);
  const bad = await upload(s, { content: 'iso', 'checksum-algorithm': 'sha256', checksum: '0'.repeat(64) }, { filename: 'bad.iso', data: other });
  const bt = await waitTask(sim, s, bad.json.data);
  assert.equal(bt.exitstatus, `checksum mismatch: got '${sha}' != expect '${'0'.repeat(64)}'`);
});

test('the form fields are verified against the schema, names normalised and extensions checked', async () => {
  const noContent = await upload(s, {}, { filename: 'x.iso', data: DATA });
  assert.deepEqual([noContent.status, noContent.json.errors], [400, { content: 'property is missing and it is not optional' }]);
  const badEnum = await upload(s, { content: 'backup' }, { filename: 'x.iso', data: DATA });
  assert.deepEqual(badEnum.json.errors, { content: "value 'backup' does not have a value in the enumeration 'iso, vztmpl, import'" });
  const unknown = await upload(s, { content: 'iso', colour: 'red' }, { filename: 'x.iso', data: DATA });
  assert.deepEqual(unknown.json.errors, { colour: 'property is not defined in schema and the schema does not allow additional properties' });
  const requires = await upload(s, { content: 'iso', checksum: 'abc' }, { filename: 'x.iso', data: DATA });
  assert.deepEqual(requires.json.errors, { 'checksum-algorithm': "missing property - 'checksum' requires this property" });
  const noFile = await upload(s, { content: 'iso' });
  assert.deepEqual(noFile.json.errors, { filename: 'property is missing and it is not optional' });
  const ext = await upload(s, { content: 'iso' }, { filename: 'x.qcow2', data: DATA });
  assert.deepEqual(ext.json.errors, { filename: 'wrong file extension' });
  const renamed = await upload(s, { content: 'iso' }, { filename: 'C:\\isos\\My Disk.iso', data: Buffer.from('x') });
  assert.equal((await waitTask(sim, s, renamed.json.data)).exitstatus, 'OK');
  assert.ok(readdirSync(sim.isoDir('local')).includes('My_Disk.iso'));
  assert.deepEqual(readdirSync(join(sim.dataDir, '.var-tmp')), []);
});

test('without Datastore.AllocateTemplate the upload is refused before the body is read', async () => {
  const ro = await login(sim, 'ro@pve', 'pw-ro');
  sim.resetStats();
  const r = await upload(ro, { content: 'iso' }, { filename: 'ro.iso', data: DATA });
  assert.deepEqual([r.status, r.reason], [403, 'Permission check failed (/storage/local, Datastore.AllocateTemplate)']);
  assert.equal(sim.stats().bytesReceivedByUpload, 0);
});
