// Authentication and permissions as pveproxy answers them: tickets + CSRF, API tokens with and
// without privilege separation, expiry and renewal, and the exact 401/403 shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../src/sim/index.js';
import { api, login, request, tokenHeader, until, waitTask } from './client.js';

test('no credentials, a bad ticket and a bad token get 401 with an empty body', async () => {
  const sim = await startSimulator({});
  try {
    const none = await request(`${sim.apiUrl}/version`);
    assert.equal(none.status, 401);
    assert.equal(none.reason, 'No ticket');
    assert.equal(none.body, '');
    const bad = await request(`${sim.apiUrl}/version`, { headers: { Cookie: 'PVEAuthCookie=PVE:root@pam:00000000::abc' } });
    assert.deepEqual([bad.status, bad.reason, bad.body], [401, 'Authentication failed!', '']);
    const tok = await request(`${sim.apiUrl}/version`, { headers: tokenHeader('root@pam!nope', 'x') });
    assert.deepEqual([tok.status, tok.reason, tok.body], [401, 'Authentication failed!', '']);
  } finally {
    await sim.stop();
  }
});

test('a wrong password is a 401 authentication failure from the handler', async () => {
  const sim = await startSimulator({});
  try {
    const r = await request(`${sim.apiUrl}/access/ticket`, { method: 'POST', form: { username: 'root@pam', password: 'wrong' } });
    assert.equal(r.status, 401);
    assert.equal(r.reason, 'authentication failure');
    assert.deepEqual(r.json, { data: null, message: 'authentication failure\n' });
    const realm = await request(`${sim.apiUrl}/access/ticket`, { method: 'POST', form: { username: 'root', realm: 'pam', password: 'hclx-sim' } });
    assert.equal(realm.json.data.username, 'root@pam');
  } finally {
    await sim.stop();
  }
});

test('a ticket works for GET; non-GET calls need the CSRF token', async () => {
  const sim = await startSimulator({});
  try {
    const s = await login(sim);
    assert.match(s.ticket, /^PVE:root@pam:[0-9A-F]{8}::\S+$/);
    assert.match(s.csrf, /^[0-9A-F]{8}:\S+$/);
    const v = await api(sim, { Cookie: `PVEAuthCookie=${s.ticket}` }, 'GET', '/version');
    assert.equal(v.status, 200);
    assert.deepEqual(Object.keys(v.json.data).sort(), ['release', 'repoid', 'version']);
    assert.equal(v.json.data.release, '9.1');
    const noCsrf = await api(sim, { Cookie: `PVEAuthCookie=${s.ticket}` }, 'POST', '/nodes/pve/storage/local/download-url', { url: 'http://127.0.0.1:1/x.iso', content: 'iso', filename: 'x.iso' });
    assert.deepEqual([noCsrf.status, noCsrf.reason, noCsrf.body], [401, 'Permission denied - invalid csrf token', '']);
    const viaHeader = await api(sim, { Authorization: `PVEAuthCookie=${s.ticket}` }, 'GET', '/nodes');
    assert.equal(viaHeader.status, 200);
  } finally {
    await sim.stop();
  }
});

test('tickets expire after their lifetime and can be renewed before', async () => {
  // Tickets carry whole seconds (as in Proxmox), so a 1 s lifetime can lapse between the login and the
  // renewal on a loaded machine; 3 s leaves at least 2 s for the renewal and still expires quickly.
  const sim = await startSimulator({ ticketLifetime: 3 });
  try {
    const s = await login(sim);
    const renewed = await request(`${sim.apiUrl}/access/ticket`, { method: 'POST', form: { username: 'root@pam', password: s.ticket } });
    assert.equal(renewed.status, 200);
    assert.match(renewed.json.data.ticket, /^PVE:root@pam:/);
    await until(async () => (await api(sim, s, 'GET', '/version')).status === 401);
    const expired = await api(sim, s, 'GET', '/version');
    assert.deepEqual([expired.status, expired.reason], [401, 'Authentication failed!']);
    const renewLate = await request(`${sim.apiUrl}/access/ticket`, { method: 'POST', form: { username: 'root@pam', password: s.ticket } });
    assert.equal(renewLate.status, 401, 'an expired ticket cannot be renewed');
  } finally {
    await sim.stop();
  }
});

test('tokens: privilege separation intersects with the user, the failures name path and privilege', async () => {
  const sim = await startSimulator({
    mirrorFiles: { 'a.iso': 4096 },
    users: [{ userid: 'ci@pve', password: 'pw-ci' }],
    tokens: [
      { tokenid: 'ci@pve!sep', secret: 'sep-secret' },
      { tokenid: 'ci@pve!full', secret: 'full-secret', privsep: false },
      { tokenid: 'ci@pve!nostore', secret: 'nostore-secret' },
    ],
    acls: [
      { path: '/storage/local', ugid: 'ci@pve', privs: ['Datastore.AllocateTemplate', 'Datastore.Audit'] },
      { path: '/nodes/pve', ugid: 'ci@pve', privs: ['Sys.AccessNetwork'] },
      { path: '/storage/local', ugid: 'ci@pve!sep', privs: ['Datastore.AllocateTemplate', 'Datastore.Allocate'] },
      { path: '/nodes/pve', ugid: 'ci@pve!sep', privs: ['Sys.AccessNetwork'] },
      { path: '/nodes/pve', ugid: 'ci@pve!nostore', privs: ['Sys.AccessNetwork'] },
    ],
  });
  try {
    const form = { url: `${sim.mirrorUrl}a.iso`, content: 'iso', filename: 'a.iso' };
    const noStore = await api(sim, tokenHeader('ci@pve!nostore', 'nostore-secret'), 'POST', '/nodes/pve/storage/local/download-url', form);
    assert.equal(noStore.status, 403);
    assert.equal(noStore.reason, 'Permission check failed (/storage/local, Datastore.AllocateTemplate)');
    assert.deepEqual(noStore.json, { data: null, message: 'Permission check failed (/storage/local, Datastore.AllocateTemplate)\n' });

    const sep = tokenHeader('ci@pve!sep', 'sep-secret');
    const ok = await api(sim, sep, 'POST', '/nodes/pve/storage/local/download-url', form);
    assert.equal(ok.status, 200, ok.body);
    assert.match(ok.json.data, /^UPID:pve:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:download:a\.iso:ci@pve!sep:$/);
    const done = await waitTask(sim, sep, ok.json.data);
    assert.equal(done.exitstatus, 'OK');
    const status = await api(sim, sep, 'GET', `/nodes/pve/tasks/${encodeURIComponent(ok.json.data)}/status`);
    assert.equal(status.json.data.user, 'ci@pve');
    assert.equal(status.json.data.tokenid, 'sep');
    // The token's own ACL grants Datastore.Allocate, but its user lacks it: intersection.
    const del = await api(sim, sep, 'DELETE', '/nodes/pve/storage/local/content/local:iso/a.iso');
    assert.deepEqual([del.status, del.reason], [403, 'Permission check failed (/storage/local, Datastore.Allocate)']);

    const full = tokenHeader('ci@pve!full', 'full-secret');
    const list = await api(sim, full, 'GET', '/nodes/pve/storage/local/content');
    assert.equal(list.status, 200, 'privsep=0: the user\'s Datastore.Audit applies');
    assert.deepEqual(list.json.data.map((i: { volid: string }) => i.volid), ['local:iso/a.iso']);
    const sepList = await api(sim, sep, 'GET', '/nodes/pve/storage/local/content');
    assert.deepEqual([sepList.status, sepList.reason], [403, 'Permission check failed (/storage/local, Datastore.Audit|Datastore.AllocateSpace)']);

    // The user sees its token's task; another user would need Sys.Audit.
    const user = await login(sim, 'ci@pve', 'pw-ci');
    const mine = await api(sim, user, 'GET', '/nodes/pve/tasks', { userfilter: 'ci@pve' });
    assert.equal(mine.json.total, 1);
    const meta = await api(sim, user, 'GET', '/nodes/pve/query-url-metadata', { url: `${sim.mirrorUrl}a.iso` });
    assert.equal(meta.status, 200, 'Sys.AccessNetwork on the node is enough');
  } finally {
    await sim.stop();
  }
});

test('the legacy Sys branch needs both Sys.Audit and Sys.Modify on /; a failed `or` is a bare 403', async () => {
  const sim = await startSimulator({
    users: [{ userid: 'op@pve', password: 'pw-op' }],
    acls: [
      { path: '/storage/local', ugid: 'op@pve', privs: ['Datastore.AllocateTemplate'] },
      { path: '/', ugid: 'op@pve', privs: ['Sys.Audit'] },
    ],
  });
  try {
    const s = await login(sim, 'op@pve', 'pw-op');
    const r = await api(sim, s, 'POST', '/nodes/pve/storage/local/download-url', { url: 'http://127.0.0.1:1/x.iso', content: 'iso', filename: 'x.iso' });
    assert.deepEqual([r.status, r.reason, r.json.message], [403, 'Permission check failed', 'Permission check failed\n']);
    // Deeper ACL entries replace inherited ones: Sys.Audit from / does not reach /storage/local.
    const list = await api(sim, s, 'GET', '/nodes/pve/storage');
    assert.deepEqual(list.json.data, []);
  } finally {
    await sim.stop();
  }
});

test('unknown API paths are 501 after authentication', async () => {
  const sim = await startSimulator({});
  try {
    const s = await login(sim);
    const r = await api(sim, s, 'GET', '/nodes/pve/nothing-here');
    assert.equal(r.status, 501);
    assert.equal(r.reason, "Method 'GET /nodes/pve/nothing-here' not implemented");
  } finally {
    await sim.stop();
  }
});
