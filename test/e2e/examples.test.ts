// Every template in examples/ renders with `hclx render --offline` (with the variables its header
// comment asks for) into a directory that Packer would load, and only the ISO blocks change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ROOT, runCli, tempDir, testEnv } from './support.js';

const CONNECTION = ['-var', 'proxmox_url=https://pve.example:8006/api2/json', '-var', 'proxmox_username=packer@pve!hclx', '-var', 'proxmox_token=x'];
const SHA = 'sha256:' + 'ab'.repeat(32);

const CASES: Array<{ template: string; vars: string[]; rewritten: RegExp[] }> = [
  { template: 'examples/ubuntu/ubuntu-24.04.pkr.hcl', vars: ['-var', 'node=pve'], rewritten: [/iso_file *= "local:iso\/ubuntu-24\.04\.3-live-server-amd64\.iso"/] },
  { template: 'examples/debian/debian-13.pkr.hcl', vars: ['-var', 'node=pve', ...CONNECTION], rewritten: [/iso_file *= "local:iso\/debian-13\.1\.0-amd64-netinst\.iso"/] },
  { template: 'examples/windows/windows-server-2022.pkr.hcl', vars: ['-var', 'node=pve', '-var', `virtio_win_checksum=${SHA}`], rewritten: [/iso_file *= "local:iso\/virtio-win-0\.1\.285\.abababababab\.iso"/] },
  { template: 'examples/multi-file', vars: ['-var-file=examples/multi-file/prod.pkrvars.hcl'], rewritten: [/iso_file *= "cephfs:iso\/ubuntu-24\.04\.3-live-server-amd64\.iso"/, /iso_file *= "cephfs:iso\/debian-13\.1\.0-amd64-netinst\.iso"/] },
  { template: 'examples/demo/ubuntu-demo.pkr.hcl', vars: [], rewritten: [/iso_file *= "local:iso\/ubuntu-24\.04\.3-live-server-amd64\.iso"/] },
];

for (const c of CASES) {
  test(`${c.template} renders offline`, async () => {
    const out = join(tempDir('examples'), 'out');
    const run = await runCli(['render', '--offline', '--out', out, ...c.vars, c.template], { cwd: ROOT, env: testEnv(tempDir('examples-home')), timeoutMs: 60_000 });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const file = c.template.endsWith('.hcl') ? join(out, c.template.split('/').at(-1)!) : join(out, 'sources.pkr.hcl');
    const text = readFileSync(file, 'utf8');
    for (const r of c.rewritten) assert.match(text, r);
    assert.doesNotMatch(text, /^ +iso_download_pve *=/m);
  });
}

test('the Windows example keeps the Windows ISO as it is and rewrites only virtio-win', async () => {
  const out = join(tempDir('examples-win'), 'out');
  const run = await runCli(['render', '--offline', '--out', out, '-var', 'node=pve', '-var', `virtio_win_checksum=${SHA}`, 'examples/windows/windows-server-2022.pkr.hcl'], { cwd: ROOT, env: testEnv(tempDir('examples-home')) });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /rewrote 1 ISO /);
  assert.match(readFileSync(join(out, 'windows-server-2022.pkr.hcl'), 'utf8'), /iso_file = var\.windows_iso/);
  assert.ok(existsSync(join(out, 'unattend', 'autounattend.xml')), 'cd_files reach the rendered directory through its symlink mirror');
});

test('the CI workflows are valid YAML that run hclx with --json', () => {
  for (const f of ['examples/ci/.github/workflows/proxmox-templates.yml', 'examples/ci/gitlab-ci.yml']) {
    const text = readFileSync(join(ROOT, f), 'utf8');
    assert.equal(typeof parseYaml(text), 'object', f);
    assert.match(text, /hclx build --json/);
  }
});
