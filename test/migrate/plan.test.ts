import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migratedFiles } from '../../src/migrate/apply.js';
import { migrationNeeded, planMigration } from '../../src/migrate/plan.js';
import type { MigrationPlan } from '../../src/migrate/plan.js';
import { loadUrlMap } from '../../src/migrate/url-map.js';
import { formatReport } from '../../src/migrate/report.js';
import { parseFile } from '../../src/hcl/parse.js';
import { viewOf } from './view.js';

const FIX = new URL('../../fixtures/migrate/', import.meta.url).pathname;

/** Migrates a template given as text (one file, variable defaults and `vars` as values). */
async function migrateText(text: string, vars: Record<string, string> = {}, urlMap?: string): Promise<{ text: string; report: string; plan: MigrationPlan }> {
  const dir = mkdtempSync(join(tmpdir(), 'hclx-plan-'));
  try {
    writeFileSync(join(dir, 'before.pkr.hcl'), text);
    let map;
    if (urlMap !== undefined) {
      writeFileSync(join(dir, 'map.yaml'), urlMap);
      map = await loadUrlMap(join(dir, 'map.yaml'), 'map.yaml');
    }
    const plan = planMigration(await viewOf([join(dir, 'before.pkr.hcl')], vars), { urlMap: map });
    return { text: migratedFiles(plan)[0]?.after ?? text, report: formatReport(plan), plan };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function migrate(name: string, ext = 'pkr.hcl', urlMap = false): Promise<{ plan: MigrationPlan; after: string; expected: string }> {
  const map = urlMap ? await loadUrlMap(FIX + 'url-map/windows.yaml', 'windows.yaml') : undefined;
  const plan = planMigration(await viewOf([`${FIX}${name}/before.${ext}`]), { urlMap: map });
  const files = migratedFiles(plan);
  assert.equal(files.length, 1);
  return { plan, after: files[0]!.after, expected: readFileSync(`${FIX}${name}/after.${ext}`, 'utf8') };
}

describe('migration plan', () => {
  it("migrates the seed's before/after example to the exact bytes", async () => {
    const { plan, after, expected } = await migrate('seed');
    assert.equal(after, expected);
    assert.ok(after.includes(`  boot_iso {
    iso_url          = "https://releases.ubuntu.com/24.04.3/ubuntu-24.04.3-live-server-amd64.iso"
    iso_checksum     = "file:https://releases.ubuntu.com/24.04.3/SHA256SUMS"
    iso_storage_pool = "local"
    iso_download_pve = true
    unmount          = true
  }`));
    assert.equal(plan.requiredPlugin, '1.2.0');
    assert.ok(migrationNeeded(plan));
  });

  it("keeps the user's pinned checksum, drops the iso_file line's comment (reported) and comes out aligned: the seed's pinned example", async () => {
    const { plan, after, expected } = await migrate('seed-pinned');
    assert.equal(after, expected);
    assert.ok(after.includes(`  boot_iso {
    iso_url          = "https://releases.ubuntu.com/24.04.3/ubuntu-24.04.3-live-server-amd64.iso"
    iso_checksum     = "sha256:c3514bf0056180d09376462a7a1b4f213c1d6e8ea67fae5c25099c6fd3d8274b"
    iso_storage_pool = "local"
    iso_download_pve = true
    unmount          = true
  }`));
    assert.doesNotMatch(after, /Must exist|file:https/);
    const report = formatReport(plan);
    assert.match(report, /iso_file local:iso\/ubuntu-24\.04\.3-live-server-amd64\.iso → downloaded by the Proxmox node from https:\/\/releases\.ubuntu\.com\/24\.04\.3\/ubuntu-24\.04\.3-live-server-amd64\.iso \(its own iso_checksum, kept as written; from Ubuntu official download\)/);
    assert.match(report, /note: before\.pkr\.hcl:16:5: source\.proxmox-iso\.ubuntu boot_iso: the comment `# Must exist!` on the iso_file line goes with it/);
  });

  it('keeps a pinned checksum of the deprecated top-level form too, with its comments', async () => {
    const after = await migrateText(`source "proxmox-iso" "u" {
  node         = "pve"
  iso_file     = "local:iso/ubuntu-24.04.3-live-server-amd64.iso" # uploaded by hand
  # checked against the release notes
  iso_checksum = "sha256:c3514bf0056180d09376462a7a1b4f213c1d6e8ea67fae5c25099c6fd3d8274b" # pinned
  unmount_iso  = true
}
`);
    assert.equal(after.text, `source "proxmox-iso" "u" {
  node = "pve"
  boot_iso {
    iso_url = "https://releases.ubuntu.com/24.04.3/ubuntu-24.04.3-live-server-amd64.iso"
    # checked against the release notes
    iso_checksum     = "sha256:c3514bf0056180d09376462a7a1b4f213c1d6e8ea67fae5c25099c6fd3d8274b" # pinned
    iso_storage_pool = "local"
    iso_download_pve = true
    unmount          = true
  }
}
`);
    assert.match(after.report, /the comment `# uploaded by hand` on the iso_file line goes with it/);
  });

  it('a checksum of "none" next to iso_file is not pinned: the published checksum file replaces it', async () => {
    const after = await migrateText(`source "proxmox-iso" "u" {
  boot_iso {
    iso_file     = "local:iso/ubuntu-24.04.3-live-server-amd64.iso"
    iso_checksum = "none"
  }
}
`);
    assert.match(after.text, /iso_checksum {5}= "file:https:\/\/releases\.ubuntu\.com\/24\.04\.3\/SHA256SUMS"\n/);
  });

  it('keeps expressions: the version variable appears in the URL and checksum, comments move along', async () => {
    const { plan, after, expected } = await migrate('variables');
    assert.equal(after, expected);
    assert.match(after, /iso_url {10}= "https:\/\/releases\.ubuntu\.com\/\$\{var\.ubuntu_version\}\/ubuntu-\$\{var\.ubuntu_version\}-live-server-amd64\.iso"\n/);
    assert.match(after, /iso_storage_pool = var\.iso_storage\n/);
    // The comment line ends the run of aligned arguments, as packer fmt sees it.
    assert.match(after, / {4}# Eject it so the template does not keep the installer attached\.\n {4}unmount = true \/\/ always\n/);
    assert.match(after, /version = "~> 1\.2"/);
    assert.match(formatReport(plan), /the URL is at https:\/\/releases\.ubuntu\.com, where Ubuntu publishes ubuntu-24\.04\.3-live-server-amd64\.iso now; it keeps other releases at https:\/\/old-releases\.ubuntu\.com, so change the host if `var\.ubuntu_version` names one of those/);
  });

  it('leaves an ISO whose whole name comes from a variable, and says why (no URL of today\'s value)', async () => {
    const { plan, after, expected } = await migrate('name-variable');
    assert.equal(after, expected);
    assert.doesNotMatch(after, /iso_url|12\.5\.0\/|9\.8\/|variable "rocky_iso_url"/);
    assert.deepEqual(plan.unmapped.map((u) => u.volid), ['local:iso/debian-12.5.0-amd64-netinst.iso', 'local:iso/Rocky-9.8-x86_64-minimal.iso']);
    assert.match(plan.unmapped[1]!.hint, /`var\.rocky_iso_file` gives "Rocky-9\.8-x86_64-minimal\.iso", the version "9\.8" and arch "x86_64" of the name, and the Rocky Linux download location depends on them/);
    assert.ok(plan.notes.some((n) => /pins no version/.test(n.message)));
  });

  it('splits device into type and index, maps additional ISOs, and lets the node download URL ISOs', async () => {
    const { plan, after, expected } = await migrate('additional', 'pkr.hcl', true);
    assert.equal(after, expected);
    assert.match(after, /type {5}= "sata" # drivers\n {4}index {4}= "4"\n {4}iso_file = var\.virtio_iso_file\n/);
    assert.match(after, /version = ">= 1\.2\.0, < 2\.0\.0"/);
    // The cd_files ISO is generated by Packer: only its device changes.
    assert.match(after, /type {13}= "ide"\n {4}index {12}= "3"\n {4}cd_files {9}=/);
    assert.equal((after.match(/iso_download_pve = true/g) ?? []).length, 2);
    assert.ok(plan.changes.some((c) => /--url-map \(windows\.yaml:5:1\)/.test(c.message)));
    // A volume id held whole by a variable cannot give a URL that follows it.
    assert.match(plan.unmapped[0]!.hint, /the whole volume id comes from `var\.virtio_iso_file`/);
  });

  it('migrates JSON-syntax templates losslessly', async () => {
    const { after, expected } = await migrate('json', 'pkr.json');
    assert.equal(after, expected);
    const reparsed = JSON.parse(after) as { source: Record<string, Record<string, Record<string, unknown>>> };
    assert.deepEqual(reparsed.source['proxmox-iso']!['alma']!['boot_iso'], {
      iso_url: 'https://repo.almalinux.org/almalinux/9.8/isos/x86_64/AlmaLinux-9.8-x86_64-minimal.iso',
      iso_checksum: 'file:https://repo.almalinux.org/almalinux/9.8/isos/x86_64/CHECKSUM',
      iso_storage_pool: '${var.iso_storage}',
      iso_download_pve: true,
      unmount: true,
    });
  });

  it('leaves an ISO it cannot map as iso_file and says how to map it', async () => {
    const { plan, after, expected } = await migrate('unmapped');
    assert.equal(after, expected);
    assert.deepEqual(
      plan.unmapped.map((u) => u.volid),
      ['local:iso/TrueNAS-13.0-U1.iso'],
    );
    const report = formatReport(plan);
    assert.match(report, /not mapped: before\.pkr\.hcl:3:3: local:iso\/TrueNAS-13\.0-U1\.iso is left as an iso_file reference\. .*--url-map file: `TrueNAS-13\.0-U1\.iso: \{ url: /);
    assert.match(report, /`proxmox` is the legacy name of the `proxmox-iso` builder/);
  });

  it('says nothing needs doing for a template already in the iso_download_pve form', async () => {
    const plan = planMigration(await viewOf([FIX + 'seed/after.pkr.hcl']));
    assert.equal(migrationNeeded(plan), false);
    assert.deepEqual(migratedFiles(plan), []);
  });

  it('every output re-parses and keeps the unchanged lines byte for byte (but for the alignment of `=`)', async () => {
    // packer fmt lines `=` up in runs of arguments: a run an edit touches is realigned, nothing else.
    const unaligned = (l: string) => l.replace(/^(\s*[\w"-]+)\s+=\s/, '$1 = ');
    for (const [name, ext] of [['seed', 'pkr.hcl'], ['seed-pinned', 'pkr.hcl'], ['variables', 'pkr.hcl'], ['name-variable', 'pkr.hcl'], ['additional', 'pkr.hcl'], ['json', 'pkr.json'], ['unmapped', 'pkr.hcl']] as const) {
      const after = readFileSync(`${FIX}${name}/after.${ext}`, 'utf8');
      await parseFile({ path: `${FIX}${name}/after.${ext}`, displayPath: `after.${ext}`, text: after });
      const before = readFileSync(`${FIX}${name}/before.${ext}`, 'utf8').split('\n');
      const afterLines = new Set(after.split('\n').map(unaligned));
      const changed = before.filter((l) => !afterLines.has(unaligned(l)));
      for (const line of changed) assert.match(line, /iso_|unmount|device|version|^\s*(#|\/\/)/, `${name}: unexpected change of line ${JSON.stringify(line)}`);
    }
  });
});

describe('iso_file built from variables: an expression right for every value, or left as it is', () => {
  const boot = (isoFile: string, decls = '') => `${decls}source "proxmox-iso" "x" {
  boot_iso {
    iso_file = ${isoFile}
  }
}
`;

  it('a version variable (given with -var) stays a variable in the URL and the checksum; its value is not written', async () => {
    const r = await migrateText(boot('"local:iso/ubuntu-${var.v}-live-server-amd64.iso"', 'variable "v" {\n  type = string\n}\n'), { v: '22.04.5' });
    assert.match(r.text, /iso_url {10}= "https:\/\/releases\.ubuntu\.com\/\$\{var\.v\}\/ubuntu-\$\{var\.v\}-live-server-amd64\.iso"\n/);
    assert.match(r.text, /iso_checksum {5}= "file:https:\/\/releases\.ubuntu\.com\/\$\{var\.v\}\/SHA256SUMS"\n/);
    assert.doesNotMatch(r.text, /22\.04\.5/);
  });

  it('several parameters (Fedora release and compose) each keep their variable', async () => {
    const r = await migrateText(boot('"local:iso/Fedora-Server-netinst-x86_64-${var.release}-${var.compose}.iso"', 'variable "release" {\n  default = "42"\n}\nvariable "compose" {\n  default = "1.1"\n}\n'));
    assert.match(r.text, /iso_url {10}= "https:\/\/download\.fedoraproject\.org\/pub\/fedora\/linux\/releases\/\$\{var\.release\}\/Server\/x86_64\/iso\/Fedora-Server-netinst-x86_64-\$\{var\.release\}-\$\{var\.compose\}\.iso"/);
    assert.match(r.text, /iso_checksum {5}= "file:https:\/\/download\.fedoraproject\.org\/pub\/fedora\/linux\/releases\/\$\{var\.release\}\/Server\/x86_64\/iso\/Fedora-Server-\$\{var\.release\}-\$\{var\.compose\}-x86_64-CHECKSUM"/);
  });

  it('a part of the name the location does not depend on may be any expression (Proxmox ISOs)', async () => {
    const r = await migrateText(boot('"local:iso/proxmox-ve_${var.pve}.iso"', 'variable "pve" {\n  default = "8.4-1"\n}\n'));
    assert.match(r.text, /iso_url {10}= "https:\/\/enterprise\.proxmox\.com\/iso\/proxmox-ve_\$\{var\.pve\}\.iso"\n {4}iso_checksum {5}= "file:https:\/\/enterprise\.proxmox\.com\/iso\/SHA256SUMS"\n/);
  });

  it('never maps to another distribution: a map lookup picking the whole name is left, whatever -var chose', async () => {
    const decls = 'variable "os" {\n  default = "ubuntu"\n}\nvariable "isos" {\n  default = {\n    ubuntu = "ubuntu-24.04.3-live-server-amd64.iso"\n    debian = "debian-12.5.0-amd64-netinst.iso"\n  }\n}\n';
    for (const os of ['ubuntu', 'debian']) {
      const r = await migrateText(boot('"local:iso/${var.isos[var.os]}"', decls), { os });
      assert.doesNotMatch(r.text, /iso_url|releases\.ubuntu|cdimage\.debian/, os);
      assert.equal(r.plan.unmapped.length, 1, os);
      assert.match(r.report, /`var\.isos\[var\.os\]` gives "[^"]+", the .* of the name, and the (Ubuntu|Debian) download location depends on (it|them)/, os);
    }
  });

  it('an architecture variable picks the host: left, with the reason', async () => {
    const r = await migrateText(boot('"local:iso/ubuntu-24.04.3-live-server-${var.arch}.iso"', 'variable "arch" {\n  default = "amd64"\n}\n'));
    assert.doesNotMatch(r.text, /iso_url/);
    assert.match(r.report, /`var\.arch` gives "amd64", the arch "amd64" of the name, and the Ubuntu download location depends on it/);
  });

  it('a --url-map entry serves every value of the name when its directory does not depend on them', async () => {
    const map = 'rhel-9.3-x86_64-dvd.iso: { url: "https://files.example.lab/rhel/rhel-9.3-x86_64-dvd.iso", checksum: "file:https://files.example.lab/rhel/SHA256SUMS" }\n';
    const decls = 'variable "v" {\n  default = "9.3"\n}\n';
    const ok = await migrateText(boot('"local:iso/rhel-${var.v}-x86_64-dvd.iso"', decls), {}, map);
    assert.match(ok.text, /iso_url {10}= "https:\/\/files\.example\.lab\/rhel\/rhel-\$\{var\.v\}-x86_64-dvd\.iso"\n {4}iso_checksum {5}= "file:https:\/\/files\.example\.lab\/rhel\/SHA256SUMS"\n/);
    assert.match(ok.report, /the --url-map entry for rhel-9\.3-x86_64-dvd\.iso is used for every value of `var\.v`: ISOs with other names must be in the same place/);

    const versioned = await migrateText(boot('"local:iso/rhel-${var.v}-x86_64-dvd.iso"', decls), {}, map.replace('/rhel/rhel-9.3', '/rhel/9.3/rhel-9.3'));
    assert.doesNotMatch(versioned.text, /iso_url/);
    assert.match(versioned.report, /the --url-map location https:\/\/files\.example\.lab\/rhel\/9\.3\/ contains "9\.3", which comes from `var\.v`/);

    const hashed = await migrateText(boot('"local:iso/rhel-${var.v}-x86_64-dvd.iso"', decls), {}, map.replace(/checksum: "[^"]+"/, 'checksum: "sha256:5f6e1d3c9a0b2e4d6f8a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b0d"'));
    assert.doesNotMatch(hashed.text, /iso_url/);
    assert.match(hashed.report, /the checksum sha256:5f6e\S+ is the hash of rhel-9\.3-x86_64-dvd\.iso alone, and the name comes from `var\.v`/);
  });

  it("the user's own checksum beside a variable name is kept, so only the URL is derived", async () => {
    const r = await migrateText(
      `variable "v" {\n  default = "24.04.3"\n}\nvariable "sum" {\n  default = "sha256:c3514bf0056180d09376462a7a1b4f213c1d6e8ea67fae5c25099c6fd3d8274b"\n}\nsource "proxmox-iso" "x" {\n  boot_iso {\n    iso_file     = "local:iso/ubuntu-\${var.v}-live-server-amd64.iso"\n    iso_checksum = var.sum\n  }\n}\n`,
    );
    assert.match(r.text, /iso_url {10}= "https:\/\/releases\.ubuntu\.com\/\$\{var\.v\}\/ubuntu-\$\{var\.v\}-live-server-amd64\.iso"\n {4}iso_checksum {5}= var\.sum\n/);
  });
});
