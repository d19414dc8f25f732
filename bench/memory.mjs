// Benchmark 6. Peak resident memory of the `hclx build` process (GNU time -v) while the node
// downloads a 64 MiB and a 4 GiB ISO. No ISO byte passes through hclx, so the two must be the same.
// Packer is the stand-in (a small node process), so the number is hclx's.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GiB, MiB, SIM_PASSWORD, STAND_IN, assertOk, childEnv, fmt, hclx, loadSim, remove, scratch, writeFile } from './lib.mjs';

export async function memory({ quick }) {
  const sizes = quick ? { small: 64 * MiB, large: 256 * MiB } : { small: 64 * MiB, large: 4 * GiB };
  const { startSimulator } = await loadSim();
  const sim = await startSimulator({ mirrorFiles: { 'small.iso': sizes.small, 'large.iso': sizes.large } });
  const home = scratch('memory');
  const env = childEnv(home);
  const results = {};
  try {
    for (const [label, size] of Object.entries(sizes)) {
      for (const n of readdirSync(sim.isoDir('local'))) rmSync(join(sim.isoDir('local'), n), { force: true });
      const file = writeFile(
        home,
        `${label}.pkr.hcl`,
        `source "proxmox-iso" "${label}" {
  proxmox_url = "${sim.apiUrl}"
  username    = "root@pam"
  password    = "${SIM_PASSWORD}"
  node        = "pve"
  iso_url          = "${sim.mirrorUrl}${label}.iso"
  iso_checksum     = "file:${sim.mirrorUrl}SHA256SUMS"
  iso_storage_pool = "local"
  iso_download_pve = true
  communicator     = "none"
}

build {
  sources = ["source.proxmox-iso.${label}"]
}
`,
      );
      // The mirror hashes the generated file once for SHA256SUMS; do it before the measured run.
      await (await fetch(`${sim.mirrorUrl}SHA256SUMS`)).text();
      const r = assertOk(`hclx build (${label})`, await hclx(['build', '--target', 'legacy', '--packer', STAND_IN, file], { cwd: home, env, rss: true }));
      if (r.maxRssKiB === undefined) throw new Error('no peak RSS: /usr/bin/time is missing');
      results[label] = { size, maxRssMiB: r.maxRssKiB / 1024, ms: r.ms };
    }
    const { small, large } = results;
    const ok = large.maxRssMiB < 150 && small.maxRssMiB < 150 && Math.abs(large.maxRssMiB - small.maxRssMiB) < 10;
    return {
      results,
      table: [
        [`6. peak RSS, ${fmt.bytes(small.size)} ISO`, `${small.maxRssMiB.toFixed(1)} MiB`, `hclx build, ${fmt.s(small.ms)}`],
        [`6. peak RSS, ${fmt.bytes(large.size)} ISO`, `${large.maxRssMiB.toFixed(1)} MiB`, `hclx build, ${fmt.s(large.ms)}; target: the same, < 150 MB: ${ok ? 'met' : 'NOT met'}`],
      ],
    };
  } finally {
    await sim.stop();
    remove(home);
  }
}
