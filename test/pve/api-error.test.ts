import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { proxmoxErrorFromResponse, pveMessage } from '../../src/pve/api-error.js';
import { isTransient } from '../../src/pve/retry.js';
import { leastPrivilegeGrant, requiredPrivileges } from '../../src/pve/privileges.js';
import { ProxmoxError } from '../../src/errors.js';
import type { Principal } from '../../src/pve/privileges.js';

interface Case {
  name: string;
  method: string;
  path: string;
  status: number;
  statusText: string;
  body: unknown;
  principal?: Principal;
  expect: { code: string; message?: string[]; hint?: string[]; transient?: boolean };
}

const { cases } = JSON.parse(readFileSync('fixtures/pve/error-responses.json', 'utf8')) as { cases: Case[] };

for (const c of cases) {
  test(`maps: ${c.name}`, () => {
    const e = proxmoxErrorFromResponse({ method: c.method, path: c.path, status: c.status, statusText: c.statusText, body: c.body, ...(c.principal ? { principal: c.principal } : {}) });
    assert.ok(e instanceof ProxmoxError);
    assert.equal(e.code, c.expect.code);
    assert.equal(e.status, c.status, 'raw status kept');
    assert.equal(e.exitCode, 1);
    assert.equal(e.details?.pveMessage, pveMessage(c.status, c.statusText, c.body), 'raw PVE message kept');
    for (const part of c.expect.message ?? []) assert.ok(e.message.includes(part), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(part)}`);
    for (const part of c.expect.hint ?? []) assert.ok(e.hint?.includes(part), `hint ${JSON.stringify(e.hint)} lacks ${JSON.stringify(part)}`);
    assert.ok(e.hint && e.hint.length > 20, 'every mapped error says what to do');
    assert.equal(isTransient(e), c.expect.transient ?? false);
    assert.ok(!e.describe().includes('\n'), 'one paragraph');
  });
}

test('the JSON `message` wins over the reason phrase, which is the fallback', () => {
  assert.equal(pveMessage(500, 'short', { data: null, message: "storage 'a' does not exist\n" }), "storage 'a' does not exist");
  assert.equal(pveMessage(500, 'from reason', { data: null }), 'from reason');
  assert.equal(pveMessage(502, '', undefined), 'HTTP 502');
});

test('least-privilege grant quotes token ids for the shell and can add Datastore.Allocate', () => {
  const g = leastPrivilegeGrant({ principal: { kind: 'token', id: "we'ird@pve!t" }, node: 'pve', storage: 'local', allowDelete: true });
  assert.match(g, /--tokens 'we'\\''ird@pve!t'/);
  assert.match(g, /Datastore\.Allocate"/);
  const u = leastPrivilegeGrant({ principal: { kind: 'user', id: 'ci@pve' } });
  assert.match(u, /--users ci@pve/);
  assert.match(u, /\/storage\/<storage>/);
  assert.doesNotMatch(u, /privilege separation/);
});

test('required privileges are known for the calls hclx makes', () => {
  assert.deepEqual(requiredPrivileges('DELETE', '/nodes/pve/storage/local/content/local:iso/x.iso')?.[0], { path: '/storage/local', privs: 'Datastore.Allocate' });
  assert.deepEqual(requiredPrivileges('GET', '/nodes/pve/storage/local/content')?.[0], { path: '/storage/local', privs: 'Datastore.Audit' });
  assert.equal(requiredPrivileges('GET', '/version'), undefined);
});
