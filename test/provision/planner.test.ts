import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ClusterInventory, Fact } from '../../src/provision/inventory.js';
import { checkSpace, planJobs } from '../../src/provision/planner.js';
import { PreflightError, preflightError } from '../../src/provision/preflight-error.js';
import { endpointOf, type IsoRequest } from '../../src/provision/request.js';
import type { Checksum } from '../../src/provision/naming.js';
import { TemplateErrors, type SourceRange } from '../../src/errors.js';

const ok = <T>(value: T): Fact<T> => ({ ok: true, value });
function recorded(name: string): ClusterInventory {
  const raw = JSON.parse(readFileSync(new URL(`../../fixtures/provision/inventory/${name}`, import.meta.url), 'utf8'));
  return {
    nodes: ok(raw.nodes),
    storages: new Map(Object.entries(raw.storages).map(([k, v]) => [k, ok(v as never)])),
    content: new Map(Object.entries(raw.content).map(([k, v]) => [k, ok(v as never)])),
    activeDownloads: new Map(Object.entries(raw.activeDownloads).map(([k, v]) => [k, ok(v as never)])),
  };
}

const connection = { url: 'https://pve.example:8006/api2/json', auth: { kind: 'token' as const, tokenId: 'ci@pve!hclx', secret: 'x' } };
const range = (line: number): SourceRange => ({ file: 'debian.pkr.hcl', start: { line, column: 3, offset: 0 }, end: { line, column: 10, offset: 0 } });
const SHA = 'ab12cd34ef567890' + '0'.repeat(48);
function req(over: Partial<IsoRequest> & { line?: number } = {}): IsoRequest {
  const line = over.line ?? 10;
  return {
    label: `source.proxmox-iso.x${line} boot_iso`,
    source: `proxmox-iso.x${line}`,
    block: 'boot_iso',
    range: range(line),
    storageRange: range(line + 1),
    nodeRange: range(2),
    urls: ['https://deb.example/debian-12.7.0-amd64-netinst.iso'],
    checksum: { algorithm: 'sha256', value: SHA } as Checksum,
    storage: 'local',
    node: 'pve',
    connection,
    ...over,
  };
}
const inventories = () => new Map([[endpointOf(connection), recorded('two-nodes.json')]]);

test('pre-flight reports every problem together: missing storage, local-lvm, missing node (FQDN), no iso content, disabled', () => {
  const { problems } = planJobs(
    [req({ line: 10, storage: 'isos' }), req({ line: 20, storage: 'local-lvm' }), req({ line: 30, node: 'pve.example.com' }), req({ line: 40, storage: 'backup' }), req({ line: 50, storage: 'old' }), req({ line: 60 })],
    inventories(),
  );
  assert.deepEqual(problems.map((p) => p.code), ['E_PVE_STORAGE_NOT_FOUND', 'E_PVE_STORAGE_NOT_FILE_BASED', 'E_PVE_NODE_NOT_FOUND', 'E_PVE_STORAGE_NO_ISO', 'E_PVE_STORAGE_DISABLED']);
  const error = preflightError(problems);
  assert.ok(error instanceof PreflightError);
  assert.equal(error.exitCode, 1);
  const text = error.describe().split('\n');
  assert.equal(text[0], 'pre-flight found 5 problems; nothing was downloaded.');
  assert.match(text[1]!, /^ {2}debian\.pkr\.hcl:11:3: storage pool 'isos' not found on node 'pve'.*Storages on node 'pve' that accept ISOs: local \(dir\), nfs-iso \(nfs\)\./);
  assert.match(text[2]!, /debian\.pkr\.hcl:21:3: storage 'local-lvm' \(type lvmthin\) cannot hold ISO files/);
  assert.match(text[3]!, /debian\.pkr\.hcl:2:3: node 'pve\.example\.com' does not exist .*looks like a host name \(FQDN\); Proxmox API paths need the node name 'pve'\. Nodes: pve, pve2/);
  assert.match(text[4]!, /pvesm set backup --content backup,iso/);
  assert.match(text[5]!, /storage 'old' is disabled or not available on node 'pve'/);
});

test('checksum name present → reuse; URL name present → verify; absent → download; running elsewhere → await', () => {
  const { jobs, problems } = planJobs(
    [
      req({ line: 10 }),
      req({ line: 20, urls: ['https://fedorapeople.example/virtio-win.iso'] }),
      req({ line: 30, urls: ['https://m/ubuntu.iso'], checksum: { algorithm: 'sha256', value: '0123456789ab' + '1'.repeat(52) } }),
      req({ line: 40, urls: ['https://m/rocky.iso'] }),
    ],
    inventories(),
    { isoName: 'checksum' },
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(
    jobs.map((j) => [j.volid, j.action]),
    [
      ['local:iso/debian-12.7.0-amd64-netinst.ab12cd34ef56.iso', 'reuse'],
      ['local:iso/virtio-win.ab12cd34ef56.iso', 'download'],
      ['local:iso/ubuntu.0123456789ab.iso', 'await'],
      ['local:iso/rocky.ab12cd34ef56.iso', 'download'],
    ],
  );
  const url = planJobs([req({ urls: ['https://fedorapeople.example/virtio-win.iso'] })], inventories(), { isoName: 'url' });
  assert.equal(url.jobs[0]!.action, 'verify');
  assert.equal(url.jobs[0]!.size, 709558272);
});

test('iso_checksum none with an existing file is refused, and --overwrite replaces it', () => {
  const none = req({ urls: ['https://m/unverified.iso'], checksum: { algorithm: 'none' } });
  const refused = planJobs([none], inventories());
  assert.equal(refused.jobs[0]!.action, 'refuse');
  assert.equal(refused.problems[0]!.code, 'E_ISO_EXISTS_UNVERIFIABLE');
  assert.match(refused.problems[0]!.message, /--overwrite/);
  const replaced = planJobs([none], inventories(), { overwrite: true });
  assert.deepEqual(replaced.problems, []);
  assert.equal(replaced.jobs[0]!.action, 'replace');
});

test('the same ISO is one job: same storage on one node, a shared storage across nodes; local storages once per node', () => {
  const a = req({ line: 10, urls: ['https://a/rocky.iso', 'https://b/rocky.iso'] });
  const b = req({ line: 20, urls: ['https://c/rocky.iso'] });
  const onPve2 = req({ line: 30, node: 'pve2', urls: ['https://a/rocky.iso'] });
  const sharedA = req({ line: 40, storage: 'nfs-iso', urls: ['https://a/rocky.iso'] });
  const sharedB = req({ line: 50, storage: 'nfs-iso', node: 'pve2', urls: ['https://a/rocky.iso'] });
  const { jobs } = planJobs([a, b, onPve2, sharedA, sharedB], inventories());
  assert.equal(jobs.length, 3);
  assert.deepEqual(jobs[0]!.requests.map((r) => r.label), [a.label, b.label]);
  assert.deepEqual(jobs[0]!.urls, ['https://a/rocky.iso', 'https://b/rocky.iso', 'https://c/rocky.iso']);
  assert.equal(jobs[1]!.node, 'pve2');
  assert.equal(jobs[2]!.shared, true);
  assert.equal(jobs[2]!.node, 'pve');
  assert.deepEqual(jobs[2]!.requests.map((r) => r.label), [sharedA.label, sharedB.label]);
});

test('two specs wanting one URL-named file with different checksums is a template error', () => {
  const a = req({ line: 10, urls: ['https://a/x.iso'] });
  const b = req({ line: 20, urls: ['https://a/x.iso'], checksum: { algorithm: 'sha256', value: 'ff'.repeat(32) } });
  const { problems } = planJobs([a, b], inventories(), { isoName: 'url' });
  assert.equal(problems[0]!.code, 'E_ISO_CONFLICT');
  assert.ok(preflightError(problems) instanceof TemplateErrors);
});

test('free space: all downloads to a storage must fit in avail', () => {
  const { jobs } = planJobs([req({ line: 10, storage: 'nfs-iso', urls: ['https://a/a.iso'] }), req({ line: 20, storage: 'nfs-iso', urls: ['https://a/b.iso'] })], inventories());
  jobs[0]!.size = 600 * 1024 ** 2;
  const inv = inventories();
  assert.deepEqual(checkSpace(jobs, inv), []);
  jobs[1]!.size = 600 * 1024 ** 2;
  const problems = checkSpace(jobs, inv);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /storage 'nfs-iso' on node 'pve' has 1\.00 GiB free but nfs-iso:iso\/a\.ab12cd34ef56\.iso, nfs-iso:iso\/b\.ab12cd34ef56\.iso need 1\.17 GiB/);
});
