// Benchmark 4. Time from the simulated download task's end to hclx noticing it. The simulator runs
// in this process, which watches its task list every 2 ms; hclx reports the moment it saw the end
// in the `time` of its --json `downloaded` event. Latency = event time - task end (one clock).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MiB, SIM_PASSWORD, STAND_IN, assertOk, childEnv, fmt, hclx, loadSim, median, remove, scratch, writeFile } from './lib.mjs';

export async function detectionLatency({ quick }) {
  const reps = quick ? 3 : 15;
  const { startSimulator } = await loadSim();
  // 8 MiB at 8 MiB/s: each task runs about a second, so the end falls anywhere in hclx's poll cycle.
  const sim = await startSimulator({ mirrorFiles: { 'd.iso': 8 * MiB }, faults: [`rate-limit:bytes-per-sec=${8 * MiB},target=download`] });
  const home = scratch('detect');
  const env = childEnv(home);
  try {
    const file = writeFile(
      home,
      'd.pkr.hcl',
      `source "proxmox-iso" "d" {
  proxmox_url = "${sim.apiUrl}"
  username    = "root@pam"
  password    = "${SIM_PASSWORD}"
  node        = "pve"
  iso_url          = "${sim.mirrorUrl}d.iso"
  iso_checksum     = "file:${sim.mirrorUrl}SHA256SUMS"
  iso_storage_pool = "local"
  iso_download_pve = true
  communicator     = "none"
}

build {
  sources = ["source.proxmox-iso.d"]
}
`,
    );
    const latencies = [];
    for (let i = 0; i < reps; i++) {
      for (const n of readdirSync(sim.isoDir('local'))) rmSync(join(sim.isoDir('local'), n), { force: true });
      let seen = false;
      let endedAt;
      const watch = setInterval(() => {
        const running = sim.runningTasks().some((t) => t.includes(':download:'));
        if (running) seen = true;
        else if (seen && endedAt === undefined) endedAt = Date.now();
      }, 2);
      const r = await hclx(['build', '--target', 'legacy', '--json', '--packer', STAND_IN, file], { cwd: home, env });
      clearInterval(watch);
      assertOk('hclx build', r);
      const event = r.stdout.split('\n').filter((l) => l.startsWith('{"')).map((l) => JSON.parse(l)).find((e) => e.event === 'downloaded');
      if (!event || endedAt === undefined) throw new Error(`no downloaded event or task end seen:\n${r.stdout.slice(-2000)}`);
      latencies.push(Date.parse(event.time) - endedAt);
    }
    const med = median(latencies);
    return {
      latenciesMs: latencies,
      medianMs: med,
      table: [['4. detection latency', fmt.ms(med), `median of ${reps} (min ${fmt.ms(Math.min(...latencies))}, max ${fmt.ms(Math.max(...latencies))}); target ≤ 500 ms: ${med <= 500 ? 'met' : 'NOT met'}`]],
    };
  } finally {
    await sim.stop();
    remove(home);
  }
}
