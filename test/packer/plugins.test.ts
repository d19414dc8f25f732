// `packer plugins installed`: parsing what Packer lists, and asking it (bounded, never an error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { installedPluginsProbe, installedProxmoxPlugins, parseInstalledPlugins, proxmoxVersions } from '../../src/packer/plugins.js';
import { tempDir } from '../support/temp.js';

const FAKE = resolve('fixtures/packer/fake-packer/packer');

test('parses plugin binary paths as Packer 1.16 lists them', () => {
  const output = [
    '/home/u/.config/packer/plugins/github.com/hashicorp/proxmox/packer-plugin-proxmox_v1.1.1_x5.0_linux_amd64',
    '/home/u/.config/packer/plugins/github.com/hashicorp/proxmox/packer-plugin-proxmox_v1.2.4_x5.0_linux_amd64',
    '/home/u/.config/packer/plugins/github.com/hashicorp/ansible/packer-plugin-ansible_v1.1.2_x5.0_linux_amd64',
    'C:\\Users\\u\\AppData\\Roaming\\packer.d\\plugins\\github.com\\hashicorp\\proxmox\\packer-plugin-proxmox_v1.2.0-dev_x5.0_windows_amd64.exe',
    '',
    'Installed plugins:',
    '/somewhere/packer-plugin-proxmox_v1.2.4_x5.0_linux_amd64',
  ].join('\n');
  const plugins = parseInstalledPlugins(output);
  assert.deepEqual(
    plugins.map((p) => [p.source, p.version]),
    [
      ['github.com/hashicorp/proxmox', '1.1.1'],
      ['github.com/hashicorp/proxmox', '1.2.4'],
      ['github.com/hashicorp/ansible', '1.1.2'],
      ['github.com/hashicorp/proxmox', '1.2.0-dev'],
    ],
  );
  assert.deepEqual(proxmoxVersions(plugins), ['1.1.1', '1.2.4', '1.2.0-dev']);
  assert.deepEqual(parseInstalledPlugins(''), []);
});

test('asks Packer, and says nothing when Packer cannot answer (older Packer, failure, hang)', async () => {
  const dir = tempDir('plugins');
  const log = join(dir, 'log');
  const listed = '/p/github.com/hashicorp/proxmox/packer-plugin-proxmox_v1.1.1_x5.0_linux_amd64';
  assert.deepEqual(await installedProxmoxPlugins(FAKE, { FAKE_PACKER_PLUGINS: listed, FAKE_PACKER_LOG: log }), ['1.1.1']);
  assert.equal(readFileSync(log, 'utf8'), 'plugins installed\n');
  assert.deepEqual(await installedProxmoxPlugins(FAKE, {}), []);
  const failing = join(dir, 'old-packer');
  // Packer 1.6.6 answers `plugins installed` with its usage and exit 127.
  writeFileSync(failing, '#!/bin/sh\necho "Usage: packer [--version] [--help] <command> [<args>]"\nexit 127\n');
  chmodSync(failing, 0o755);
  assert.equal(await installedProxmoxPlugins(failing, {}), undefined);
  const hanging = join(dir, 'hanging-packer');
  writeFileSync(hanging, '#!/bin/sh\nexec sleep 30\n');
  chmodSync(hanging, 0o755);
  assert.equal(await installedProxmoxPlugins(hanging, {}, 300), undefined);
});

test('the probe exists only for a Packer that loads external plugins (>= 1.7, version known)', () => {
  assert.equal(installedPluginsProbe(undefined, {}), undefined);
  assert.equal(installedPluginsProbe({ path: FAKE, builtinProxmox: true }, {}), undefined);
  assert.equal(installedPluginsProbe({ path: FAKE }, {}), undefined);
  assert.equal(typeof installedPluginsProbe({ path: FAKE, builtinProxmox: false }, {}), 'function');
});
