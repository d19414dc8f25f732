// `hclx plan` end to end: template + variables → simulator → the printed plan (text and --json).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CommandContext } from '../../src/cli/command.js';
import { startSimulator, type SimHandle } from '../../src/sim/index.js';
import { provisionIsos } from '../../src/provision/engine.js';
import { loadRequests } from '../../src/provision/load-requests.js';
import { PreflightError } from '../../src/provision/preflight-error.js';
import { TemplateError, TemplateErrors } from '../../src/errors.js';
import { runPlan } from '../../src/provision/run-plan.js';

const MIB = 1024 * 1024;
const SECRET = 'plan-test-secret-4711';
const template = fileURLToPath(new URL('../../fixtures/provision/plan/debian.pkr.hcl', import.meta.url));
const lockDir = mkdtempSync(join(tmpdir(), 'hclx-plan-locks-'));
let sim: SimHandle;

before(async () => {
  sim = await startSimulator({ tokens: [{ tokenid: 'root@pam!hclx', secret: SECRET, privsep: false }], mirrorFiles: { 'debian-12.iso': 2 * MIB, 'virtio-win.iso': MIB } });
});
after(async () => {
  await sim.stop();
  rmSync(lockDir, { recursive: true, force: true });
});

function ctx() {
  let out = '';
  let err = '';
  const stdout = new Writable({ write: (chunk: Buffer, _enc, cb) => ((out += chunk.toString()), cb()) });
  const stderr = new Writable({ write: (chunk: Buffer, _enc, cb) => ((err += chunk.toString()), cb()) });
  const c: CommandContext = { argv0: 'hclx', cwd: process.cwd(), env: {}, stdout, stderr, signal: new AbortController().signal };
  return { c, out: () => out, err: () => err };
}
const vars = (storage = 'local') => ['-var', `proxmox_url=${sim.apiUrl}`, '-var', `proxmox_token=${SECRET}`, '-var', `mirror=${sim.mirrorUrl}`, '-var', `iso_storage=${storage}`];

test('plan shows each ISO block: URL, target volid, state and size; read-only', async () => {
  sim.resetStats();
  const io = ctx();
  const code = await main(['plan', ...vars(), template], io.c);
  assert.equal(code, 0);
  const text = io.out();
  assert.match(text, /^2 ISO blocks with iso_download_pve: 2 would download; 2 downloads on the node\./);
  assert.match(text, /source\.proxmox-iso\.debian.*boot_iso\n {2}url {6}http:\/\/127\.0\.0\.1:\d+\/mirror\/debian-12\.iso\n {2}target {3}local:iso\/debian-12\.[0-9a-f]{12}\.iso on node pve\n {2}state {4}absent: the node would download it \(2\.0 MiB\)/);
  assert.match(text, /url {6}.*missing\/virtio-win\.iso \(\+1 mirror\)/);
  assert.ok(!text.includes(SECRET) && !io.err().includes(SECRET));
  assert.equal(sim.stats().tasksStarted, 0);
});

test('after a download, plan --json reports the ISOs present with their volids', async () => {
  const { requests } = await loadRequests(template, { cwd: process.cwd(), env: {}, varFiles: [], vars: [['proxmox_url', sim.apiUrl], ['proxmox_token', SECRET], ['mirror', sim.mirrorUrl]] });
  const result = await provisionIsos(requests, { lockDir });
  const io = ctx();
  // runPlan is what `hclx plan --json` calls (see the report: main.ts currently drops double-dash options).
  const code = await runPlan({ template, cwd: process.cwd(), env: {}, varFiles: [], vars: [['proxmox_url', sim.apiUrl], ['proxmox_token', SECRET], ['mirror', sim.mirrorUrl]], json: true, stdout: io.c.stdout, stderr: io.c.stderr });
  assert.equal(code, 0);
  const plan = JSON.parse(io.out());
  assert.deepEqual(plan.isos.map((e: { state: string }) => e.state), ['present', 'present']);
  assert.deepEqual(plan.isos.map((e: { volid: string }) => e.volid), result.isos.map((i) => i.volid));
  assert.equal(plan.isos[0].size, 2 * MIB);
  assert.deepEqual(plan.problems, []);
});

test('plan with a storage that cannot hold ISOs prints the plan and fails the pre-flight with the fix', async () => {
  const io = ctx();
  await assert.rejects(main(['plan', ...vars('local-lvm'), template], io.c), (e: unknown) => {
    assert.ok(e instanceof PreflightError);
    assert.equal(e.exitCode, 1);
    assert.match(e.describe(), /debian\.pkr\.hcl:29:\d+: storage 'local-lvm' \(type lvmthin\) cannot hold ISO files.*Storages on node 'pve' that accept ISOs: local \(dir\)/);
    return true;
  });
  assert.match(io.out(), /state {4}cannot be provisioned/);
});

test('plan without a template is a usage error', async () => {
  await assert.rejects(main(['plan'], ctx().c), /plan needs a TEMPLATE/);
});

test('plan: an ISO name Proxmox would refuse for its length (over 255 characters) is a template error at iso_url', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hclx-plan-long-'));
  const file = join(dir, 'long.pkr.hcl');
  writeFileSync(
    file,
    `source "proxmox-iso" "long" {
  proxmox_url = "${sim.apiUrl}"
  username    = "root@pam!hclx"
  token       = "${SECRET}"
  node        = "pve"
  iso_url          = "${sim.mirrorUrl}${'n'.repeat(252)}.iso"
  iso_checksum     = "sha256:${'ab'.repeat(32)}"
  iso_storage_pool = "local"
  iso_download_pve = true
  communicator     = "none"
}

build {
  sources = ["source.proxmox-iso.long"]
}
`,
  );
  try {
    for (const mode of ['url', 'checksum']) {
      await assert.rejects(main(['plan', '--iso-name', mode, file], ctx().c), (e: unknown) => {
        assert.ok(e instanceof TemplateError || e instanceof TemplateErrors, String(e));
        assert.equal(e.exitCode, 2);
        assert.match(e.describe(), /long\.pkr\.hcl:6:\d+: iso_url '.*' would be stored as 'n{40}\.\.\..*', a name of 2\d\d characters, and Proxmox refuses names longer than 255/);
        return true;
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
