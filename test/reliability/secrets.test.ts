// Secrets never leave hclx: sentinel passwords and token secrets, given through template variables,
// PROXMOX_* environment variables and -var, with --log-level debug, Packer's -debug, --json and on
// failure paths (wrong password, 403, a failed task, 5xx answers), never appear in stdout, stderr,
// NDJSON events, the files hclx writes, or error messages. Proxmox tickets and CSRF tokens neither.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactSecrets, registerSecret } from '../../src/log.js';
import { startSimulator, type SimHandle } from '../../src/sim/index.js';
import { FIXTURES, STACK_FRAME, cleanEnv, removeDir, runCli, scratchDir, type CliResult } from './support.js';

const PASSWORD = 'S3NT1NEL-PASSWORD-7d1f0c';
const TOKEN = 'S3NT1NEL-TOKEN-5b2e44aa-0c61-4f1e-9d3a';
const LOCKED_TOKEN = 'S3NT1NEL-LOCKED-TOKEN-0f9e';
const WRONG_PASSWORD = 'S3NT1NEL-WRONG-PASSWORD-93c1';
/** The password of a mirror, given only inside URLs (`http://isouser:<it>@host/...`): never registered as a secret. */
const URL_PASSWORD = 'S3NT1NEL-URL-PASSWORD-41ab';
const SENTINELS = [PASSWORD, TOKEN, LOCKED_TOKEN, WRONG_PASSWORD, URL_PASSWORD];
/** A PVE ticket (`PVE:user@realm:HEX::signature`) or the CSRF token header value. */
const TICKET = /PVE:[^:\s]+@[^:\s]+:[0-9A-F]{8}::/;

const STAND_IN = join(FIXTURES, 'packer', 'stand-in.mjs');
let sim: SimHandle;
let home: string;
let dir: string;

before(async () => {
  sim = await startSimulator({
    users: [{ userid: 'root@pam', password: PASSWORD }],
    tokens: [
      { tokenid: 'root@pam!ci', secret: TOKEN, privsep: false },
      { tokenid: 'root@pam!locked', secret: LOCKED_TOKEN, privsep: true },
    ],
    mirrorFiles: { 'secret-a.iso': 1024 * 1024, 'secret-b.iso': 1024 * 1024, 'secret-c.iso': 1024 * 1024 },
  });
  home = scratchDir('secrets-home');
  dir = scratchDir('secrets');
  // Credentials only through variables (and the PROXMOX_* fallbacks when a setting is absent).
  writeFileSync(
    join(dir, 'vars.pkr.hcl'),
    `variable "proxmox_url" {
  type = string
}
variable "mirror" {
  type = string
}
variable "iso" {
  type    = string
  default = "secret-a.iso"
}
variable "proxmox_password" {
  type      = string
  sensitive = true
  default   = null
}
variable "proxmox_token" {
  type      = string
  sensitive = true
  default   = null
}
variable "proxmox_user" {
  type    = string
  default = "root@pam"
}
`,
  );
  writeFileSync(
    join(dir, 'main.pkr.hcl'),
    `source "proxmox-iso" "s" {
  proxmox_url = var.proxmox_url
  username    = var.proxmox_user
  password    = var.proxmox_password
  token       = var.proxmox_token
  node        = "pve"
  iso_url          = "\${var.mirror}\${var.iso}"
  iso_checksum     = "file:\${var.mirror}SHA256SUMS"
  iso_storage_pool = "local"
  iso_download_pve = true
  communicator  = "none"
  template_name = "s"
}

build {
  sources = ["source.proxmox-iso.s"]
}
`,
  );
});
after(async () => {
  await sim.stop();
  removeDir(home);
  removeDir(dir);
});

/** Every file hclx may have written: its working and output directories under `home`, and the template directory. */
function writtenFiles(): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name !== 'stand-in-argv.log' && statSync(p).size < 4 * 1024 * 1024) out.push({ path: p, text: readFileSync(p, 'latin1') });
    }
  };
  walk(home);
  walk(dir);
  return out;
}

function assertNoSecret(what: string, r: CliResult): void {
  const places: Array<[string, string]> = [
    ['stdout', r.stdout],
    ['stderr', r.stderr],
    ...writtenFiles().map((f): [string, string] => [f.path, f.text]),
  ];
  for (const [where, text] of places) {
    for (const s of SENTINELS) assert.ok(!text.includes(s), `${what}: the sentinel ${s} appears in ${where}`);
    assert.doesNotMatch(text, TICKET, `${what}: a Proxmox ticket appears in ${where}`);
  }
  assert.doesNotMatch(r.stderr, STACK_FRAME, `${what}: stack trace`);
  // --json: plan prints one document, build one event per line; either way it still parses, so a
  // redaction never broke the stream.
  if (!isJson(r.stdout.trim())) for (const line of r.stdout.split('\n')) if (line.startsWith('{"')) JSON.parse(line);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const env = (extra: Record<string, string> = {}) =>
  cleanEnv({ HOME: home, TMPDIR: home, HCLX_WORKDIR: join(home, 'work'), PACKER_CONFIG_DIR: home, PACKER_CACHE_DIR: join(home, 'cache'), STAND_IN_LOG: join(home, 'stand-in-argv.log'), ...extra });
const base = () => [`-var=proxmox_url=${sim.apiUrl}`, `-var=mirror=${sim.mirrorUrl}`];

test('plan with the password through -var, --log-level debug and --json', async () => {
  const r = await runCli(['plan', '--log-level', 'debug', '--json', ...base(), `-var=proxmox_password=${PASSWORD}`, '.'], { cwd: dir, env: env() });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /debug: (GET|POST) \/access\/ticket|debug: POST/, 'the debug log shows API calls');
  assertNoSecret('plan -var password debug json', r);
});

test('plan with the token secret through PKR_VAR_ and HCLX_LOG=debug', async () => {
  const r = await runCli(['plan', ...base(), '-var=proxmox_user=root@pam!ci', '.'], { cwd: dir, env: env({ PKR_VAR_proxmox_token: TOKEN, HCLX_LOG: 'debug' }) });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assertNoSecret('plan PKR_VAR_ token', r);
});

test('build with the password from PROXMOX_PASSWORD, Packer -debug, --json, --keep-rendered and debug logging', async () => {
  const r = await runCli(['build', '--target', 'legacy', '--packer', STAND_IN, '--json', '--keep-rendered', '--log-level', 'debug', '-debug', ...base(), '.'], {
    cwd: dir,
    env: env({ PROXMOX_PASSWORD: PASSWORD, PROXMOX_USERNAME: 'root@pam' }),
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /"event":"summary"/);
  assertNoSecret('build PROXMOX_PASSWORD -debug --json', r);
});

test('build with the token through -var and the ticket-less token path, --json', async () => {
  const r = await runCli(['build', '--target', 'legacy', '--packer', STAND_IN, '--json', ...base(), '-var=iso=secret-b.iso', '-var=proxmox_user=root@pam!ci', `-var=proxmox_token=${TOKEN}`, '.'], { cwd: dir, env: env() });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assertNoSecret('build -var token', r);
});

test('failure: a wrong password (401) with debug logging', async () => {
  const r = await runCli(['build', '--target', 'legacy', '--packer', STAND_IN, '--log-level', 'debug', ...base(), `-var=proxmox_password=${WRONG_PASSWORD}`, '.'], { cwd: dir, env: env() });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /root@pam/);
  assertNoSecret('wrong password', r);
});

test('failure: a token without privileges (403) with --json', async () => {
  const r = await runCli(['build', '--target', 'legacy', '--packer', STAND_IN, '--json', ...base(), '-var=iso=secret-c.iso', '-var=proxmox_user=root@pam!locked', `-var=proxmox_token=${LOCKED_TOKEN}`, '.'], { cwd: dir, env: env() });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /pveum|privilege|Datastore/i);
  assertNoSecret('403', r);
});

test('failure: a download task that fails (checksum mismatch) and 5xx answers, with debug logging and --json', async () => {
  sim.addFault('corrupt-download:offset=10,target=download');
  sim.addFault('api-error:status=500,count=2,method=GET');
  try {
    const r = await runCli(['build', '--target', 'legacy', '--packer', STAND_IN, '--json', '--log-level', 'debug', ...base(), '-var=iso=secret-c.iso', `-var=proxmox_password=${PASSWORD}`, '.'], { cwd: dir, env: env() });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /checksum mismatch/);
    assertNoSecret('task failure', r);
  } finally {
    sim.clearFaults();
  }
});

test('redaction: long secrets anywhere, short ones only as whole values, and the userinfo of every URL', () => {
  registerSecret('packer');
  registerSecret('S3NT1NEL-REDACT-UNIT-TEST-1');
  const cases: Array<[string, string]> = [
    ['./packer-proxmox_template', './packer-proxmox_template'],
    ['next: packer build out', 'next: packer build out'],
    ['username packer@pve', 'username packer@pve'],
    ['{"password":"packer","vm":"packer-1"}', '{"password":"<sensitive>","vm":"packer-1"}'],
    ['-var=proxmox_password=packer -only=x', '-var=proxmox_password=<sensitive> -only=x'],
    ['password: packer', 'password: <sensitive>'],
    ["it is 'packer'.", "it is '<sensitive>'."],
    ['packer', '<sensitive>'],
    ['xS3NT1NEL-REDACT-UNIT-TEST-1y', 'x<sensitive>y'],
    ['GET https://isouser:pw@mirror.example/x.iso 200', 'GET https://***@mirror.example/x.iso 200'],
    ['file:https://u:p@ss@h.example/SHA256SUMS', 'file:https://***@h.example/SHA256SUMS'],
    ['mailto:root@pve and user@pam!ci', 'mailto:root@pve and user@pam!ci'],
  ];
  for (const [text, expected] of cases) assert.equal(redactSecrets(text), expected, text);
});

test('mirror credentials in iso_url and a file: checksum URL: plan, render and build never print them', async () => {
  const withCredentials = sim.mirrorUrl.replace('://', `://isouser:${URL_PASSWORD}@`);
  const vars = [`-var=proxmox_url=${sim.apiUrl}`, `-var=mirror=${withCredentials}`, `-var=proxmox_password=${PASSWORD}`];
  const plan = await runCli(['plan', '--json', '--log-level', 'debug', ...vars, '.'], { cwd: dir, env: env() });
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout + plan.stderr, /isouser|\*\*\*@/, 'the URL is shown, without its password');
  assertNoSecret('plan with URL credentials', plan);
  const render = await runCli(['render', '--json', '--log-level', 'debug', '-o', join(home, 'rendered-credentials'), ...vars, '.'], { cwd: dir, env: env() });
  assert.equal(render.code, 0, render.stdout + render.stderr);
  assert.match(render.stdout, /\*\*\*@127\.0\.0\.1/);
  assertNoSecret('render with URL credentials', render);
  const build = await runCli(['build', '--target', 'legacy', '--packer', STAND_IN, '--json', '--log-level', 'debug', ...vars, '.'], { cwd: dir, env: env() });
  assert.equal(build.code, 0, build.stdout + build.stderr);
  assertNoSecret('build with URL credentials', build);
});

test('a short sensitive value ("packer") is redacted as a value, not inside paths and names', async () => {
  const tpl = join(dir, '..', 'packer-proxmox_template');
  mkdirSync(tpl, { recursive: true });
  writeFileSync(join(tpl, 'vars.pkr.hcl'), readFileSync(join(dir, 'vars.pkr.hcl')));
  writeFileSync(join(tpl, 'main.pkr.hcl'), readFileSync(join(dir, 'main.pkr.hcl'), 'utf8').replace('template_name = "s"', 'template_name = "packer-s"'));
  try {
    const r = await runCli(['render', '--offline', '--iso-name', 'url', '-o', './packer-proxmox_template.out', `-var=proxmox_url=${sim.apiUrl}`, `-var=mirror=${sim.mirrorUrl}`, '-var=proxmox_password=packer', './packer-proxmox_template'], {
      cwd: join(dir, '..'),
      env: env(),
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /packer-proxmox_template\.out/, 'the output path is printed as it is');
    assert.match(r.stdout, /next: packer build /);
    assert.doesNotMatch(r.stdout + r.stderr, /<sensitive>-proxmox_template|<sensitive> build/);
  } finally {
    removeDir(tpl);
    removeDir(join(dir, '..', 'packer-proxmox_template.out'));
  }
});
