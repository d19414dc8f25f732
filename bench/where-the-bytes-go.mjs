// Benchmarks 1 and 2. One generated ISO, three ways, against the simulator:
//   packer-default  real Packer 1.6.6 with iso_url + iso_checksum + iso_storage_pool: it downloads the
//                   ISO to the runner, then uploads it to the node;
//   plugin-native   what the plugin's iso_download_pve does, reproduced: download-url, then the task
//                   status polled every 2 s (Telmate's client), then packer build with iso_file;
//   hclx            `hclx build --target legacy` (the node downloads, Packer gets iso_file).
// The runner's link is a throttled relay (all runner traffic: API calls, Packer's download and
// upload); the node's link is the simulator's download rate limit, 4x faster.
// Then the warm re-run (benchmark 2): the same hclx build with the ISO present, against a plain
// `packer build` of the rendered template.
import { join } from 'node:path';
import { URLSearchParams } from 'node:url';
import { readdirSync, rmSync } from 'node:fs';
import { GiB, MiB, PACKER, SIM_PASSWORD, assertOk, childEnv, fmt, hclx, loadSim, median, mirrorSha256, remove, run, scratch, startLink, viaLink, writeFile } from './lib.mjs';

function source(name, { apiUrl, iso, extra = '' }) {
  return `source "proxmox-iso" "${name}" {
  proxmox_url = "${apiUrl}"
  username    = "root@pam"
  password    = "${SIM_PASSWORD}"
  node        = "pve"
${iso}
  communicator  = "none"
  template_name = "${name}"
${extra}}

build {
  sources = ["source.proxmox-iso.${name}"]
}
`;
}

async function pveSession(apiUrl) {
  const res = await fetch(`${apiUrl}/access/ticket`, { method: 'POST', body: new URLSearchParams({ username: 'root@pam', password: SIM_PASSWORD }) });
  const { data } = await res.json();
  return { headers: { Cookie: `PVEAuthCookie=${data.ticket}`, CSRFPreventionToken: data.CSRFPreventionToken } };
}

/** The plugin's iso_download_pve, reproduced: download-url, then GET the task status every 2 s until it stops. */
async function pluginNativeDownload(apiUrl, url, filename, sha256) {
  const s = await pveSession(apiUrl);
  const body = new URLSearchParams({ url, content: 'iso', filename, checksum: sha256, 'checksum-algorithm': 'sha256' });
  const res = await fetch(`${apiUrl}/nodes/pve/storage/local/download-url`, { method: 'POST', headers: s.headers, body });
  if (!res.ok) throw new Error(`download-url: ${res.status} ${await res.text()}`);
  const upid = (await res.json()).data;
  for (let i = 0; i < 3600; i++) {
    await new Promise((r) => setTimeout(r, 2000));
    const st = (await (await fetch(`${apiUrl}/nodes/pve/tasks/${encodeURIComponent(upid)}/status`, { headers: s.headers })).json()).data;
    if (st.status === 'stopped') {
      if (st.exitstatus !== 'OK') throw new Error(`task failed: ${st.exitstatus}`);
      return;
    }
  }
  throw new Error('task did not stop within 2 hours');
}

function clearStorage(sim) {
  for (const n of readdirSync(sim.isoDir('local'))) rmSync(join(sim.isoDir('local'), n), { force: true });
}

export async function whereTheBytesGo({ quick }) {
  const size = quick ? 64 * MiB : GiB;
  const nodeRate = quick ? 64 * MiB : 200 * MiB;
  const runnerRate = nodeRate / 4;
  const reps = quick ? 1 : 3;
  const warmReps = quick ? 2 : 5;
  const { startSimulator } = await loadSim();
  const sim = await startSimulator({ mirrorFiles: { 'bench.iso': size }, faults: [`rate-limit:bytes-per-sec=${nodeRate},target=download`] });
  const simPort = Number(new URL(sim.apiUrl).port);
  const link = await startLink(simPort, runnerRate);
  const home = scratch('bytes');
  const env = childEnv(home);
  try {
    const sha = await mirrorSha256(sim, 'bench.iso');
    const apiViaLink = viaLink(sim.apiUrl, link.port);
    const mirrorViaLink = viaLink(sim.mirrorUrl, link.port);
    const isoTop = (url, extra = '') => `  iso_url          = "${url}"\n  iso_checksum     = "sha256:${sha}"\n  iso_storage_pool = "local"\n${extra}`;
    const packerTpl = writeFile(home, 'packer-default.pkr.hcl', source('packerdefault', { apiUrl: apiViaLink, iso: isoTop(`${mirrorViaLink}bench.iso`) }));
    const nativeTpl = writeFile(home, 'plugin-native.pkr.hcl', source('pluginnative', { apiUrl: apiViaLink, iso: '  iso_file = "local:iso/bench.iso"\n' }));
    const hclxTpl = writeFile(home, 'hclx.pkr.hcl', source('hclx', { apiUrl: apiViaLink, iso: isoTop(`${sim.mirrorUrl}bench.iso`, '  iso_download_pve = true\n') }));

    const ways = {
      'packer-default': async () => {
        remove(join(home, 'packer_cache'));
        return assertOk('packer build (default path)', await run(PACKER, ['build', '-color=false', packerTpl], { cwd: home, env }));
      },
      'plugin-native': async () => {
        const started = performance.now();
        await pluginNativeDownload(apiViaLink, `${sim.mirrorUrl}bench.iso`, 'bench.iso', sha);
        const r = assertOk('packer build (iso_file)', await run(PACKER, ['build', '-color=false', nativeTpl], { cwd: home, env }));
        return { ...r, ms: performance.now() - started };
      },
      hclx: async () => assertOk('hclx build', await hclx(['build', '--target', 'legacy', hclxTpl], { cwd: home, env })),
    };
    const rows = [];
    for (const [way, once] of Object.entries(ways)) {
      const times = [];
      let bytes;
      for (let i = 0; i < reps; i++) {
        clearStorage(sim);
        sim.resetStats();
        link.reset();
        const r = await once();
        times.push(r.ms);
        const st = sim.stats();
        // ISO bytes through the runner: what the mirror served beyond the node's own download, plus uploads.
        bytes = { runnerLink: link.counters.up + link.counters.down, upload: st.bytesReceivedByUpload, mirrorToRunner: Math.max(0, st.bytesServedByMirror - st.bytesDownloadedByNode), node: st.bytesDownloadedByNode, hashPasses: st.hashPasses };
      }
      rows.push({ way, medianMs: median(times), runs: times, ...bytes, isoBytesThroughRunner: bytes.upload + bytes.mirrorToRunner });
    }
    const def = rows.find((r) => r.way === 'packer-default');
    const mine = rows.find((r) => r.way === 'hclx');
    const ratio = mine.medianMs / def.medianMs;

    // Benchmark 2: warm re-run. The ISO stays; hclx's API calls are counted from its debug log. The
    // hclx runs and the plain packer builds alternate, so a change in the machine's load between
    // them does not land on one side only.
    const warm = [];
    const plain = [];
    const nodeStart = [];
    let renderedArgs;
    for (let i = 0; i < warmReps; i++) {
      sim.resetStats();
      const r = assertOk('hclx build (warm)', await hclx(['build', '--target', 'legacy', '--keep-rendered', '--log-level', 'debug', hclxTpl], { cwd: home, env }));
      const calls = r.stderr.split('\n').filter((l) => /debug: (GET|POST|PUT|DELETE) \//.test(l)).length;
      warm.push({ ms: r.ms, calls, hashPasses: sim.stats().hashPasses, downloads: sim.stats().tasksByType.download ?? 0 });
      const m = /Running \S+ build (.+)$/m.exec(r.stdout);
      if (m) renderedArgs = m[1].trim().split(' ');
      if (!renderedArgs) throw new Error('hclx did not print the packer command line');
      const p = assertOk('packer build (rendered)', await run(PACKER, ['build', ...renderedArgs], { cwd: home, env }));
      if (!/A template was created/.test(p.stdout)) throw new Error(`plain packer build made no template:\n${p.stdout}`);
      plain.push(p.ms);
      // How fast the machine is right now: a Node process that does nothing.
      nodeStart.push(assertOk('node -e 0', await run(process.execPath, ['-e', '0'], { cwd: home, env })).ms);
    }
    const warmResult = {
      medianMs: median(warm.map((w) => w.ms)),
      plainPackerMedianMs: median(plain),
      addedMs: median(warm.map((w) => w.ms)) - median(plain),
      apiCalls: median(warm.map((w) => w.calls)),
      hashPasses: Math.max(...warm.map((w) => w.hashPasses)),
      downloadTasks: Math.max(...warm.map((w) => w.downloads)),
      runs: warm,
      plainPackerRuns: plain,
      nodeStartMedianMs: median(nodeStart),
    };
    return {
      bytes: { size, nodeRate, runnerRate, reps, rows, ratio },
      warm: warmResult,
      table: [
        ...rows.map((r) => [`1. ${r.way}`, fmt.s(r.medianMs), `ISO bytes through the runner: ${fmt.bytes(r.isoBytesThroughRunner)} (runner link ${fmt.bytes(r.runnerLink)}, node ${fmt.bytes(r.node)})`]),
        ['1. hclx / packer-default', fmt.ratio(ratio), `target ≤ 0.25× with the runner link 4× slower: ${ratio <= 0.25 ? 'met' : 'NOT met'}; hclx runner ISO bytes 0: ${mine.isoBytesThroughRunner === 0 ? 'met' : 'NOT met'}`],
        ['2. warm re-run', fmt.s(warmResult.medianMs), `${warmResult.apiCalls} API calls, ${warmResult.hashPasses} hash passes, ${warmResult.downloadTasks} download tasks; +${fmt.ms(warmResult.addedMs)} over plain packer build (${fmt.s(warmResult.plainPackerMedianMs)}; node -e 0: ${fmt.ms(warmResult.nodeStartMedianMs)}); target ≤ 300 ms: ${warmResult.addedMs <= 300 ? 'met' : 'NOT met'}`],
      ],
    };
  } finally {
    await link.close();
    await sim.stop();
    remove(home);
  }
}
