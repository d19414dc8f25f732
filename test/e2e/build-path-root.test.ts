// hclx build with REAL Packer 1.6.6 on a template that reaches beside its own directory with
// `${path.root}/../x` (a shell-local script) and file("../x") (relative to path.root): the rendered
// copy keeps those paths valid, so the build runs them and succeeds (issue 12, item 6). Packer is
// given the copy's directory as path.root, as any Packer version would be.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator } from '../../src/sim/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { bootIso, proxmoxSource, REAL_PACKER, runCli, tempDir, testEnv, URL_VARIABLE } from './support.js';

const skip = existsSync(REAL_PACKER) ? false : process.env.CI === 'true' ? false : 'packer 1.6.6 is not installed at /usr/bin/packer';

let sim: SimHandle;
let home: string;

before(async () => {
  sim = await startSimulator({ mirrorFiles: { 'root.iso': 1024 * 1024 } });
  home = tempDir('e2e-path-root');
});
after(async () => {
  await sim.stop();
});

test('${path.root}/../scripts/x.sh and file("../shared/banner.txt") resolve from the rendered copy: Packer 1.6.6 runs them, exit 0', { skip }, async () => {
  const proj = tempDir('e2e-path-root-proj');
  mkdirSync(join(proj, 'packer'));
  mkdirSync(join(proj, 'scripts'));
  mkdirSync(join(proj, 'shared'));
  const ran = join(proj, 'ran.txt');
  writeFileSync(join(proj, 'scripts', 'hello.sh'), `#!/bin/sh\necho "$BANNER" > '${ran}'\n`);
  chmodSync(join(proj, 'scripts', 'hello.sh'), 0o755);
  writeFileSync(join(proj, 'shared', 'banner.txt'), 'from beside the template');
  writeFileSync(
    join(proj, 'packer', 'root.pkr.hcl'),
    `${URL_VARIABLE}\n${proxmoxSource('pathroot', bootIso(sim.mirrorUrl, 'root.iso'), '  vm_id         = 9101\n')}
build {
  sources = ["source.proxmox-iso.pathroot"]
  provisioner "shell-local" {
    script           = "\${path.root}/../scripts/hello.sh"
    environment_vars = ["BANNER=\${file("../shared/banner.txt")}"]
  }
}
`,
  );
  const run = await runCli(['build', '--target', 'legacy', `-var=proxmox_url=${sim.apiUrl}`, '-color=false', 'packer'], { cwd: proj, env: testEnv(home) });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(readFileSync(ran, 'utf8'), 'from beside the template\n', 'the script beside the template ran with the file beside it');
  assert.doesNotMatch(run.stdout + run.stderr, /climbs out of path\.root/);
});
