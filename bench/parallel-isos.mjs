// Benchmark 3. Four ISOs (a boot ISO and an additional ISO in each of two sources) downloaded by the
// node at once, against the slowest of them alone. Each download gets the same per-transfer rate
// (the simulator's download rate limit applies per task, like a mirror's per-connection limit).
// Times are hclx's own download phase (the `seconds` of its --json summary) and the whole run's
// wall time; Packer is the stand-in, so its work does not blur the comparison.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MiB, SIM_PASSWORD, STAND_IN, assertOk, childEnv, fmt, hclx, loadSim, median, remove, scratch, writeFile } from './lib.mjs';

function iso(block, mirror, name, extra = '') {
  return `  ${block} {
${extra}    iso_url          = "${mirror}${name}"
    iso_checksum     = "file:${mirror}SHA256SUMS"
    iso_storage_pool = "local"
    iso_download_pve = true
  }
`;
}

function template(apiUrl, mirror, names) {
  const sources = [];
  for (let s = 0; s < names.length; s += 2) {
    const [boot, extra] = [names[s], names[s + 1]];
    sources.push(`source "proxmox-iso" "s${s}" {
  proxmox_url = "${apiUrl}"
  username    = "root@pam"
  password    = "${SIM_PASSWORD}"
  node        = "pve"
${iso('boot_iso', mirror, boot)}${extra ? iso('additional_iso_files', mirror, extra, '    type = "sata"\n    index = 3\n') : ''}  communicator = "none"
}
`);
  }
  return `${sources.join('\n')}
build {
  sources = [${names.filter((_, i) => i % 2 === 0).map((_, i) => `"source.proxmox-iso.s${i * 2}"`).join(', ')}]
}
`;
}

function summarySeconds(stdout) {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{"')) continue;
    const e = JSON.parse(line);
    if (e.event === 'summary') return e.seconds;
  }
  throw new Error(`no summary event in:\n${stdout.slice(-2000)}`);
}

export async function parallelIsos({ quick }) {
  const unit = quick ? 8 * MiB : 32 * MiB;
  const rate = quick ? 16 * MiB : 32 * MiB;
  const files = { 'p1.iso': 2 * unit, 'p2.iso': 3 * unit, 'p3.iso': 4 * unit, 'p4.iso': 6 * unit };
  const reps = quick ? 1 : 3;
  const { startSimulator } = await loadSim();
  const sim = await startSimulator({ mirrorFiles: files, faults: [`rate-limit:bytes-per-sec=${rate},target=download`] });
  const home = scratch('parallel');
  const env = childEnv(home);
  try {
    const all = writeFile(home, 'four.pkr.hcl', template(sim.apiUrl, sim.mirrorUrl, Object.keys(files)));
    const one = writeFile(home, 'slowest.pkr.hcl', template(sim.apiUrl, sim.mirrorUrl, ['p4.iso']));
    const measure = async (file) => {
      const phase = [];
      const wall = [];
      for (let i = 0; i < reps; i++) {
        for (const n of readdirSync(sim.isoDir('local'))) rmSync(join(sim.isoDir('local'), n), { force: true });
        const r = assertOk(`hclx build ${file}`, await hclx(['build', '--target', 'legacy', '--json', '--packer', STAND_IN, file], { cwd: home, env }));
        phase.push(summarySeconds(r.stdout) * 1000);
        wall.push(r.ms);
      }
      return { phaseMs: median(phase), wallMs: median(wall), phase, wall };
    };
    const slowest = await measure(one);
    const four = await measure(all);
    const ratio = four.phaseMs / slowest.phaseMs;
    return {
      files,
      ratePerDownload: rate,
      slowest,
      four,
      ratio,
      table: [
        ['3. slowest ISO alone', fmt.s(slowest.phaseMs), `download phase; whole run ${fmt.s(slowest.wallMs)} (${fmt.bytes(files['p4.iso'])} at ${fmt.bytes(rate)}/s)`],
        ['3. four ISOs together', fmt.s(four.phaseMs), `download phase; whole run ${fmt.s(four.wallMs)}; ratio ${fmt.ratio(ratio)}; target ≤ 1.3×: ${ratio <= 1.3 ? 'met' : 'NOT met'}`],
      ],
    };
  } finally {
    await sim.stop();
    remove(home);
  }
}
