// `npm run check-package` (run by .ci/run): packs hclx as it would be published, installs the
// tarball globally into a temporary prefix, and checks what a user gets:
//   - the packed files: the bundled CLI, the vendored grammar .wasm with its licence; no src/ or test/;
//   - the install prints no install-script warning (no dependency needs a build step: the grammar
//     package, whose script runs node-gyp, is a dev dependency; hclx ships its .wasm instead);
//   - the installed `hclx` runs: --version, a command's --help and a usage error (yargs, bundled into
//     dist/bundle/ and not installed), `render --offline` of a fixture and of two templates in one
//     run, and an online render against the installed `hclx sim` (the node downloads the ISO; this
//     exercises the HTTP client bundled into dist/bundle/), from a directory outside the checkout.
// Needs the npm registry (dependencies are installed as a user's `npm install -g` would).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'hclx-package-'));
const failures = [];
const check = (ok, what) => {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
  if (!ok) failures.push(what);
};
const run = (cmd, args, options = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000, ...options });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '' };
};

try {
  // prepack runs `npm run build`, so the tarball holds what src/ compiles to now.
  const pack = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root });
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.out}`);
  const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
  const files = info.files.map((f) => f.path);
  check(files.includes('bin/hclx.mjs') && files.includes('dist/bundle/hclx.js'), 'the tarball has bin/hclx.mjs and the bundled CLI');
  check(files.includes('vendor/tree-sitter-hcl/tree-sitter-hcl.wasm') && files.includes('vendor/tree-sitter-hcl/LICENSE'), 'the tarball has the grammar .wasm and its licence');
  check(!files.some((f) => /^(src|test|fixtures|bench)\//.test(f)), 'the tarball has no src/, test/, fixtures/ or bench/');
  process.stdout.write(`     ${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(0)} KiB packed\n`);

  const prefix = join(work, 'prefix');
  const install = run('npm', ['install', '-g', '--no-audit', '--no-fund', '--prefer-offline', join(work, info.filename)], {
    cwd: work,
    env: { ...process.env, npm_config_prefix: prefix, npm_config_update_notifier: 'false' },
  });
  check(install.code === 0, `npm install -g of the tarball into ${prefix} succeeds`);
  if (install.code !== 0) throw new Error(install.out);
  check(!/install-scripts|node-gyp|gyp (info|ERR)/i.test(install.out), `the install warns about no install script${/install-scripts/.test(install.out) ? `:\n${install.out}` : ''}`);

  const hclx = join(prefix, 'bin', 'hclx');
  const env = { PATH: process.env.PATH, HOME: work, TMPDIR: work, NO_COLOR: '1' };
  const version = run(hclx, ['--version'], { cwd: work, env });
  check(version.code === 0 && /^hclx \d+\.\d+\.\d+/.test(version.stdout), `installed hclx --version: ${version.stdout.trim()}`);
  const help = run(hclx, ['render', '--help'], { cwd: work, env: { ...env, LANG: 'de_DE.UTF-8' } });
  check(help.code === 0 && /^Usage: hclx render /.test(help.stdout) && /--stall-timeout +fail a download/.test(help.stdout) && /\[string\] \[choices: "auto", "modern", "legacy"\] \[default: "auto"\]/.test(help.stdout), `installed hclx render --help lists the options with types, choices and defaults${help.code === 0 ? '' : `:\n${help.out}`}`);
  const usage = run(hclx, ['render', '--bogus', 'x', 't.pkr.hcl'], { cwd: work, env });
  check(usage.code === 2 && /^hclx: unknown option '--bogus'\. Run `hclx render --help`/.test(usage.out), `installed hclx names an unknown option and exits 2: ${usage.out.trim()}`);
  check(!existsSync(join(prefix, 'lib', 'node_modules', 'hclx', 'node_modules', 'yargs')) && !existsSync(join(prefix, 'lib', 'node_modules', 'yargs')), 'yargs is not installed (the bundle holds it)');
  const template = join(root, 'fixtures/render/boot-iso-modern/template');
  const out = join(work, 'out');
  const render = run(hclx, ['render', '--offline', '--out', out, template], { cwd: work, env });
  check(render.code === 0 && /rewrote 1 ISO/.test(render.stdout) && existsSync(out), `installed hclx render --offline exits 0 and writes ${out}${render.code === 0 ? '' : `:\n${render.out}`}`);
  const rendered = existsSync(out) ? run('grep', ['-r', 'iso_file', out]).stdout : '';
  check(/local:iso\//.test(rendered), 'the rendered template references the ISO on the node');
  const many = run(hclx, ['render', '--offline', '--out', join(work, 'many'), template, join(root, 'fixtures/packer/templates/valid.pkr.hcl')], { cwd: work, env });
  check(many.code === 0, `installed hclx renders two templates in one run${many.code === 0 ? '' : `:\n${many.out}`}`);
  await onlineRender(hclx, env);
  check(!existsSync(join(prefix, 'lib', 'node_modules', 'hclx', 'node_modules', '@tree-sitter-grammars')) && !existsSync(join(prefix, 'lib', 'node_modules', '@tree-sitter-grammars')), 'the grammar package is not installed');
} catch (error) {
  failures.push(String(error instanceof Error ? error.message : error));
  process.stdout.write(`FAIL ${String(error instanceof Error ? error.message : error)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
/** `hclx sim` from the installed package, then `hclx render` (online) of a template whose ISO the simulated node downloads. */
async function onlineRender(hclx, env) {
  const sim = spawn(hclx, ['sim', '--listen', '127.0.0.1:0', '--mirror-file', 'check.iso:1048576'], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let text = '';
    const api = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hclx sim did not start within 30 s:\n${text}`)), 30_000);
      sim.stdout.on('data', (d) => {
        text += d;
        const m = /API URL:\s+(\S+)/.exec(text);
        if (m && /password (\S+)/.test(text)) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      sim.on('exit', (code) => reject(new Error(`hclx sim exited ${code}:\n${text}`)));
    });
    const password = /username root@pam\s+password (\S+)/.exec(text)[1];
    const mirror = api.replace(/\/api2\/json\/?$/, '/mirror/');
    const template = join(work, 'online.pkr.hcl');
    writeFileSync(
      template,
      `source "proxmox-iso" "check" {\n  proxmox_url = "${api}"\n  username = "root@pam"\n  password = "${password}"\n  node = "pve"\n  boot_iso {\n    iso_url = "${mirror}check.iso"\n    iso_checksum = "file:${mirror}SHA256SUMS"\n    iso_storage_pool = "local"\n    iso_download_pve = true\n  }\n}\nbuild {\n  sources = ["source.proxmox-iso.check"]\n}\n`,
    );
    const render = run(hclx, ['render', '--target', 'modern', '--out', join(work, 'online'), template], { cwd: work, env });
    check(render.code === 0 && /→ local:iso\/check\.[0-9a-f]{12}\.iso/.test(render.stdout), `installed hclx render (online) reads the sums file and has the simulated node download the ISO${render.code === 0 ? '' : `:\n${render.out}`}`);
  } finally {
    sim.kill('SIGTERM');
  }
}

process.stdout.write(failures.length === 0 ? 'package check: all passed\n' : `package check: ${failures.length} failed\n`);
process.exitCode = failures.length === 0 ? 0 : 1;
