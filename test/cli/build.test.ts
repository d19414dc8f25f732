// `hclx build` as a process: usage errors, a missing Packer (nothing downloaded), and the
// recorded-output set: real Packer 1.6.6 runs (fixtures/packer/recorded) replayed by a stand-in,
// so Packer's exit codes and its error lines (on stdout) are checked to pass through unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, tempDir, testEnv } from '../e2e/support.js';

const REPLAY = join(ROOT, 'fixtures', 'build', 'replay-packer');
const RECORDED = join(ROOT, 'fixtures', 'packer', 'recorded');
const TEMPLATES = join(ROOT, 'fixtures', 'packer', 'templates');

interface Recording {
  case: string;
  args: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

function recording(name: string): Recording {
  return JSON.parse(readFileSync(join(RECORDED, `${name}.json`), 'utf8')) as Recording;
}

/** Runs `hclx <command> [flags] valid.pkr.hcl` with the stand-in replaying `name`. */
async function replay(command: 'build' | 'validate', name: string, flags: string[]) {
  const home = tempDir('cli-replay');
  const argvLog = join(home, 'argv.ndjson');
  const env = testEnv(home, { REPLAY_FILE: join(RECORDED, `${name}.json`), REPLAY_ARGV_LOG: argvLog, PACKER_BIN: REPLAY });
  const run = await runCli([command, ...flags, 'valid.pkr.hcl'], { cwd: TEMPLATES, env, timeoutMs: 60_000 });
  let argv: string[][] = [];
  try {
    argv = readFileSync(argvLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
  } catch {
    // Packer never ran.
  }
  return { run, argv };
}

const BUILD_CASES: Array<[string, string[]]> = [
  ['build-ok', ['-color=false']],
  ['build-fails', []],
  ['build-fails-machine-readable', ['-machine-readable']],
  ['bad-on-error', ['-on-error=nope']],
];

for (const [name, flags] of BUILD_CASES) {
  test(`recorded ${name}: Packer's exit code and output pass through unchanged`, async () => {
    const rec = recording(name);
    const { run, argv } = await replay('build', name, flags);
    assert.equal(run.code, rec.exitCode, run.stdout + run.stderr);
    assert.ok(run.stdout.includes(rec.stdout), `Packer's stdout was changed:\n${run.stdout}`);
    assert.ok(run.stderr.includes(rec.stderr));
    assert.equal(argv.length, 1);
    assert.deepEqual(argv[0]!.slice(0, -1), ['build', ...flags], 'flags verbatim, before the template');
    assert.match(argv[0]!.at(-1)!, /hclx-build-[^/]+\/template\/valid\.pkr\.hcl$/);
  });
}

test('recorded build-fails-machine-readable: hclx\'s own lines are machine-readable too', async () => {
  const { run } = await replay('build', 'build-fails-machine-readable', ['-machine-readable']);
  const own = run.stdout.split('\n').filter((l) => /^\d+,,ui,(say|message|error),/.test(l));
  assert.ok(own.some((l) => l.includes('Running')), run.stdout);
  assert.equal(run.stdout.split('\n').filter((l) => l.includes('==> hclx:')).length, 0);
});

const VALIDATE_CASES = ['syntax-error', 'unset-variable', 'boot-iso-block', 'validate-ok', 'undeclared-var-flag'];
for (const name of VALIDATE_CASES) {
  test(`recorded ${name} through hclx validate: exit code and error lines pass through`, async () => {
    const rec = recording(name);
    const { run, argv } = await replay('validate', name, []);
    assert.equal(run.code, rec.exitCode, run.stdout + run.stderr);
    assert.ok(run.stdout.includes(rec.stdout));
    assert.deepEqual(argv[0]!.slice(0, 1), ['validate']);
  });
}

test('hclx judges what it must before Packer runs: an invalid -only pattern exits 2 with Packer\'s reason', async () => {
  const { run, argv } = await replay('build', 'invalid-only-pattern', ['-only=web.[']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /invalid -only pattern 'web\.\['/);
  assert.deepEqual(argv, [], 'Packer was not started');
});

test('usage errors exit 2: no template, a flag after the template, an unknown flag', async () => {
  const cwd = tempDir('cli-usage');
  const none = await runCli(['build'], { cwd });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /build needs a TEMPLATE/);
  const after = await runCli(['build', 'x.pkr.hcl', '-force'], { cwd });
  assert.equal(after.code, 2);
  assert.match(after.stderr, /'-force' comes after the template path/);
  const unknown = await runCli(['build', '-bogus', 'x.pkr.hcl'], { cwd });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown flag '-bogus'/);
});

test('no Packer anywhere: exit 1 with how to install it, before any download', async () => {
  const home = tempDir('cli-nopacker');
  const bin = join(home, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const run = await runCli(['build', 'valid.pkr.hcl'], { cwd: TEMPLATES, env: { ...testEnv(home), PATH: bin } });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Packer was not found: no --packer option, no PACKER_BIN, and no `packer` on PATH\. Install Packer/);
  assert.doesNotMatch(run.stdout, /Getting|Rewrote/);
});
