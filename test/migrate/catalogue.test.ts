import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE, compareVersions, findOfficialDownload } from '../../src/migrate/catalogue.js';
import { urlFileName } from '../../src/resolve/names.js';
import { CORPUS, sharedSkip } from '../support/shared.js';

/** Every text of the corpus, once, to prove the names below are real ones. */
function corpusText(): string {
  const parts: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 12) return;
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      const st = statSync(path);
      if (st.isDirectory()) walk(path, depth + 1);
      else if (st.size < 2_000_000) parts.push(readFileSync(path, 'utf8'));
    }
  };
  walk(CORPUS, 0);
  return parts.join('\n');
}

// [ISO name from the corpus, expected primary URL, expected checksum, a URL the corpus itself uses for it (primary or alternate)]
const CASES: Array<[string, string, string | undefined, string | undefined]> = [
  ['ubuntu-24.04.3-live-server-amd64.iso', 'https://releases.ubuntu.com/24.04.3/ubuntu-24.04.3-live-server-amd64.iso', 'file:https://releases.ubuntu.com/24.04.3/SHA256SUMS', undefined],
  ['ubuntu-22.04.4-live-server-amd64.iso', 'https://old-releases.ubuntu.com/releases/22.04.4/ubuntu-22.04.4-live-server-amd64.iso', 'file:https://old-releases.ubuntu.com/releases/22.04.4/SHA256SUMS', undefined],
  ['ubuntu-22.04.5-live-server-amd64.iso', 'https://releases.ubuntu.com/22.04.5/ubuntu-22.04.5-live-server-amd64.iso', 'file:https://releases.ubuntu.com/22.04.5/SHA256SUMS', 'https://releases.ubuntu.com/22.04.5/ubuntu-22.04.5-live-server-amd64.iso'],
  ['ubuntu-24.04-live-server-amd64.iso', 'https://old-releases.ubuntu.com/releases/24.04/ubuntu-24.04-live-server-amd64.iso', 'file:https://old-releases.ubuntu.com/releases/24.04/SHA256SUMS', 'https://releases.ubuntu.com/24.04/ubuntu-24.04-live-server-amd64.iso'],
  ['ubuntu-20.04.6-live-server-amd64.iso', 'https://releases.ubuntu.com/20.04.6/ubuntu-20.04.6-live-server-amd64.iso', 'file:https://releases.ubuntu.com/20.04.6/SHA256SUMS', 'https://releases.ubuntu.com/20.04.6/ubuntu-20.04.6-live-server-amd64.iso'],
  ['ubuntu-18.04.5-server-amd64.iso', 'https://old-releases.ubuntu.com/releases/18.04.5/ubuntu-18.04.5-server-amd64.iso', 'file:https://old-releases.ubuntu.com/releases/18.04.5/SHA256SUMS', undefined],
  ['debian-12.5.0-amd64-netinst.iso', 'https://cdimage.debian.org/cdimage/archive/12.5.0/amd64/iso-cd/debian-12.5.0-amd64-netinst.iso', 'file:https://cdimage.debian.org/cdimage/archive/12.5.0/amd64/iso-cd/SHA256SUMS', undefined],
  ['debian-11.7.0-amd64-netinst.iso', 'https://cdimage.debian.org/cdimage/archive/11.7.0/amd64/iso-cd/debian-11.7.0-amd64-netinst.iso', 'file:https://cdimage.debian.org/cdimage/archive/11.7.0/amd64/iso-cd/SHA256SUMS', 'https://cdimage.debian.org/cdimage/archive/11.7.0/amd64/iso-cd/debian-11.7.0-amd64-netinst.iso'],
  ['debian-13.4.0-amd64-DVD-1.iso', 'https://cdimage.debian.org/cdimage/archive/13.4.0/amd64/iso-dvd/debian-13.4.0-amd64-DVD-1.iso', 'file:https://cdimage.debian.org/cdimage/archive/13.4.0/amd64/iso-dvd/SHA256SUMS', undefined],
  ['Rocky-9.4-x86_64-minimal.iso', 'https://dl.rockylinux.org/vault/rocky/9.4/isos/x86_64/Rocky-9.4-x86_64-minimal.iso', 'file:https://dl.rockylinux.org/vault/rocky/9.4/isos/x86_64/CHECKSUM', 'https://dl.rockylinux.org/vault/rocky/9.4/isos/x86_64/Rocky-9.4-x86_64-minimal.iso'],
  ['Rocky-9.8-x86_64-minimal.iso', 'https://download.rockylinux.org/pub/rocky/9.8/isos/x86_64/Rocky-9.8-x86_64-minimal.iso', 'file:https://download.rockylinux.org/pub/rocky/9.8/isos/x86_64/CHECKSUM', 'https://download.rockylinux.org/pub/rocky/9.8/isos/x86_64/Rocky-9.8-x86_64-minimal.iso'],
  ['Rocky-10.2-x86_64-minimal.iso', 'https://download.rockylinux.org/pub/rocky/10.2/isos/x86_64/Rocky-10.2-x86_64-minimal.iso', 'file:https://download.rockylinux.org/pub/rocky/10.2/isos/x86_64/CHECKSUM', 'https://download.rockylinux.org/pub/rocky/10.2/isos/x86_64/Rocky-10.2-x86_64-minimal.iso'],
  ['AlmaLinux-9.8-x86_64-minimal.iso', 'https://repo.almalinux.org/almalinux/9.8/isos/x86_64/AlmaLinux-9.8-x86_64-minimal.iso', 'file:https://repo.almalinux.org/almalinux/9.8/isos/x86_64/CHECKSUM', 'https://repo.almalinux.org/almalinux/9.8/isos/x86_64/AlmaLinux-9.8-x86_64-minimal.iso'],
  ['AlmaLinux-10.0-x86_64-dvd.iso', 'https://vault.almalinux.org/10.0/isos/x86_64/AlmaLinux-10.0-x86_64-dvd.iso', 'file:https://vault.almalinux.org/10.0/isos/x86_64/CHECKSUM', undefined],
  ['Fedora-Server-netinst-x86_64-42-1.1.iso', 'https://download.fedoraproject.org/pub/fedora/linux/releases/42/Server/x86_64/iso/Fedora-Server-netinst-x86_64-42-1.1.iso', 'file:https://download.fedoraproject.org/pub/fedora/linux/releases/42/Server/x86_64/iso/Fedora-Server-42-1.1-x86_64-CHECKSUM', 'https://download.fedoraproject.org/pub/fedora/linux/releases/42/Server/x86_64/iso/Fedora-Server-netinst-x86_64-42-1.1.iso'],
  ['FreeBSD-14.1-RELEASE-amd64-disc1.iso', 'http://ftp-archive.freebsd.org/pub/FreeBSD-Archive/old-releases/amd64/ISO-IMAGES/14.1/FreeBSD-14.1-RELEASE-amd64-disc1.iso', 'file:http://ftp-archive.freebsd.org/pub/FreeBSD-Archive/old-releases/amd64/ISO-IMAGES/14.1/CHECKSUM.SHA256-FreeBSD-14.1-RELEASE-amd64', 'https://download.freebsd.org/releases/ISO-IMAGES/14.1/FreeBSD-14.1-RELEASE-amd64-disc1.iso'],
  ['openSUSE-Leap-15.6-DVD-x86_64-Build709.1-Media.iso', 'https://download.opensuse.org/distribution/leap/15.6/iso/openSUSE-Leap-15.6-DVD-x86_64-Build709.1-Media.iso', 'file:https://download.opensuse.org/distribution/leap/15.6/iso/openSUSE-Leap-15.6-DVD-x86_64-Build709.1-Media.iso.sha256', undefined],
  ['proxmox-ve_8.4-1.iso', 'https://enterprise.proxmox.com/iso/proxmox-ve_8.4-1.iso', 'file:https://enterprise.proxmox.com/iso/SHA256SUMS', undefined],
  ['virtio-win-0.1.285.iso', 'https://fedorapeople.org/groups/virt/virtio-win/direct-downloads/archive-virtio/virtio-win-0.1.285-1/virtio-win-0.1.285.iso', undefined, 'https://fedorapeople.org/groups/virt/virtio-win/direct-downloads/archive-virtio/virtio-win-0.1.285-1/virtio-win-0.1.285.iso'],
];

describe('catalogue of official downloads', () => {
  it('uses ISO names that occur in the corpus', { skip: sharedSkip() }, () => {
    const text = corpusText();
    for (const [name] of CASES) assert.ok(text.includes(name), `${name} is not in the corpus`);
  });

  for (const [name, url, checksum, corpusUrl] of CASES) {
    it(`derives the official location of ${name}`, () => {
      const found = findOfficialDownload(name);
      assert.ok(found, `${name} not recognised`);
      assert.equal(found.url, url);
      assert.equal(found.checksum, checksum);
      assert.equal(urlFileName(found.url), name, 'the URL must name the same file, so the volid stays the same');
      if (corpusUrl) assert.ok([found.url, ...found.alternates.map((a) => a.url)].includes(corpusUrl), `${corpusUrl} is neither the primary nor an alternate`);
      for (const p of found.parameters) assert.ok(name.includes(p) && found.url.includes(p));
    });
  }

  it('knows other architectures and image kinds', () => {
    assert.equal(findOfficialDownload('ubuntu-24.04.3-live-server-arm64.iso')?.url, 'https://cdimage.ubuntu.com/releases/24.04.3/release/ubuntu-24.04.3-live-server-arm64.iso');
    assert.equal(findOfficialDownload('ubuntu-24.04.3-desktop-amd64.iso')?.checksum, 'file:https://releases.ubuntu.com/24.04.3/SHA256SUMS');
    assert.equal(findOfficialDownload('Rocky-9-latest-x86_64-minimal.iso')?.url, 'https://download.rockylinux.org/pub/rocky/9/isos/x86_64/Rocky-9-latest-x86_64-minimal.iso');
    assert.equal(findOfficialDownload('Fedora-Everything-netinst-x86_64-40-1.14.iso')?.url, 'https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/40/Everything/x86_64/iso/Fedora-Everything-netinst-x86_64-40-1.14.iso');
    assert.equal(findOfficialDownload('Fedora-Everything-netinst-x86_64-40-1.14.iso')?.checksum, 'file:https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/40/Everything/x86_64/iso/Fedora-Everything-40-1.14-x86_64-CHECKSUM');
    const stream = findOfficialDownload('CentOS-Stream-9-latest-x86_64-dvd1.iso');
    assert.equal(stream?.url, 'https://mirror.stream.centos.org/9-stream/BaseOS/x86_64/iso/CentOS-Stream-9-latest-x86_64-dvd1.iso');
    assert.equal(stream?.checksum, 'file:https://mirror.stream.centos.org/9-stream/BaseOS/x86_64/iso/CentOS-Stream-9-latest-x86_64-dvd1.iso.SHA256SUM');
    assert.equal(findOfficialDownload('proxmox-backup-server_3.4-1.iso')?.url, 'https://enterprise.proxmox.com/iso/proxmox-backup-server_3.4-1.iso');
    assert.equal(findOfficialDownload('debian-live-13.1.0-amd64-standard.iso')?.url, 'https://cdimage.debian.org/cdimage/archive/13.1.0/amd64/iso-hybrid/debian-live-13.1.0-amd64-standard.iso');
    assert.equal(findOfficialDownload('debian-13.6.0-amd64-netinst.iso')?.url, 'https://cdimage.debian.org/debian-cd/13.6.0/amd64/iso-cd/debian-13.6.0-amd64-netinst.iso');
  });

  it('says where each part of the name is and whether the location can follow an expression there', () => {
    const parts = (name: string) => findOfficialDownload(name)!.nameParts.map((p) => `${p.group}=${p.value}@${p.start}:${p.role}`);
    assert.deepEqual(parts('ubuntu-24.04.3-live-server-amd64.iso'), ['version=24.04.3@7:parameter', 'kind=live-server@15:location', 'arch=amd64@27:location']);
    assert.deepEqual(parts('proxmox-ve_8.4-1.iso'), ['product=proxmox-ve@0:name-only', 'version=8.4-1@11:name-only']);
    // Rocky's `9-latest` is `9` in the directory: not a value an expression could carry there.
    assert.deepEqual(parts('Rocky-9-latest-x86_64-minimal.iso'), ['version=9-latest@6:location', 'arch=x86_64@15:location', 'kind=minimal@22:name-only']);
    for (const entry of CATALOGUE) for (const group of Object.keys(entry.roles)) assert.match(entry.pattern.source, new RegExp(`\\(\\?<${group}>`), `${entry.distribution}: ${group}`);
  });

  it('does not guess for ISOs it does not know', () => {
    for (const name of ['TrueNAS-13.0-U1.iso', 'rhel-9.3-x86_64-dvd.iso', 'SERVER_EVAL_x64FRE_en-us.iso', 'linux.iso', 'autounattend.iso', 'virtio-win.iso', 'ubuntu-24.04-live-server-sparc.iso', 'debian-12.5.0-amd64-xfce-CD-1.iso']) {
      assert.equal(findOfficialDownload(name), undefined, name);
    }
  });

  it('lists one entry per distribution the issue names', () => {
    assert.deepEqual(
      CATALOGUE.map((e) => e.distribution),
      ['Ubuntu', 'Debian', 'Rocky Linux', 'AlmaLinux', 'Fedora', 'CentOS Stream', 'openSUSE Leap', 'FreeBSD', 'Proxmox', 'virtio-win'],
    );
  });

  it('compares dotted versions numerically', () => {
    assert.equal(compareVersions('24.04.10', '24.04.9'), 1);
    assert.equal(compareVersions('24.04', '24.04.0'), 0);
    assert.equal(compareVersions('9.4', '10.1'), -1);
  });
});
