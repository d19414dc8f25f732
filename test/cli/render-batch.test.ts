// `hclx render TEMPLATE...` as a process: one run renders several templates, each into its own
// subdirectory of --out; errors still name file:line:col; the exit code is the highest; with
// --json every event names its template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, events, runCli, tempDir, testEnv } from '../e2e/support.js';

const FIXTURES = join(ROOT, 'fixtures/render');

/** A working directory holding a template with a syntax error (templates/broken). */
function repo(): string {
  const cwd = tempDir('cli-batch');
  mkdirSync(join(cwd, 'templates', 'broken'), { recursive: true });
  writeFileSync(join(cwd, 'templates', 'broken', 'a.pkr.hcl'), 'source "null" "x" {\n  communicator = \n}\n');
  return cwd;
}

test('several templates render in one run, each into a subdirectory of --out named after its path', async () => {
  const cwd = tempDir('cli-batch-ok');
  const run = await runCli(['render', '--offline', '--out', 'out', join(FIXTURES, 'boot-iso-modern/template'), join(FIXTURES, 'boot-iso-legacy/template')], { cwd, env: testEnv(cwd) });
  assert.equal(run.code, 0, run.stderr);
  for (const name of ['boot-iso-modern', 'boot-iso-legacy']) {
    // The path as given, relative to the working directory or else absolute, with / turned into -.
    const dir = join(cwd, 'out', join(FIXTURES, name, 'template').slice(1).split('/').join('-'));
    // The same files as a run with that template alone.
    const alone = await runCli(['render', '--offline', '--out', `alone-${name}`, join(FIXTURES, name, 'template')], { cwd, env: testEnv(cwd) });
    assert.equal(alone.code, 0, alone.stderr);
    const files = readdirSync(join(cwd, `alone-${name}`)).filter((f) => f.endsWith('.pkr.hcl'));
    assert.equal(files.length, 1);
    for (const file of files) assert.equal(readFileSync(join(dir, file), 'utf8'), readFileSync(join(cwd, `alone-${name}`, file), 'utf8'), `${name}: ${file}`);
    assert.match(readFileSync(join(dir, files[0]!), 'utf8'), /iso_file\s+= "local:iso\//);
  }
  assert.match(run.stdout, /==> .*boot-iso-modern\/template \(1 of 2\)\nrewrote 1 ISO/);
  assert.match(run.stdout, /\nrendered 2 of 2 templates \(exit code 0\)\.\n$/);
});

test('a template with an error is reported at file:line:col, the others still render, and the exit code is 2', async () => {
  const cwd = repo();
  const run = await runCli(['render', '--offline', '--out', 'out', 'templates/broken', join(FIXTURES, 'boot-iso-modern/template')], { cwd, env: testEnv(cwd) });
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.match(run.stderr, /^hclx: templates\/broken\/a\.pkr\.hcl:2:17: missing value for "communicator"/m);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
  assert.match(run.stdout, /==> templates\/broken \(1 of 2\)\nfailed \(exit 2\)/);
  assert.match(run.stdout, /rendered 1 of 2 templates; 1 failed: templates\/broken \(exit code 2\)\./);
  assert.ok(!existsSync(join(cwd, 'out', 'templates-broken')));
});

test('--json: a rendered or error event per template, then a batch event with the exit code', async () => {
  const cwd = repo();
  const modern = join(FIXTURES, 'boot-iso-modern/template');
  const run = await runCli(['render', '--offline', '--json', '--out', 'out', modern, 'templates/broken'], { cwd, env: testEnv(cwd) });
  assert.equal(run.code, 2);
  const seen = events(run.stderr);
  assert.deepEqual(
    seen.map((e) => [e.event, e.template]),
    [
      ['rendered', modern],
      ['error', 'templates/broken'],
      ['batch', undefined],
    ],
  );
  const error = seen[1]!;
  assert.deepEqual([error.file, error.line, error.column, error.exitCode, error.code], ['templates/broken/a.pkr.hcl', 2, 17, 2, 'E_SYNTAX']);
  assert.deepEqual(seen[2], { ...seen[2], templates: 2, rendered: 1, failed: ['templates/broken'], exitCode: 2 });
  assert.equal((seen[0]!.changes as unknown[]).length, 1);
});

test('usage: no template, or two templates that would share a directory, exit 2; one template keeps --out as the directory itself', async () => {
  const cwd = repo();
  const none = await runCli(['render', '--offline'], { cwd, env: testEnv(cwd) });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /render needs a TEMPLATE/);
  mkdirSync(join(cwd, 'a-b'));
  mkdirSync(join(cwd, 'a', 'b'), { recursive: true });
  const clash = await runCli(['render', '--offline', '--out', 'out', 'a/b', 'a-b'], { cwd, env: testEnv(cwd) });
  assert.equal(clash.code, 2);
  assert.match(clash.stderr, /'a\/b' and 'a-b' would both render into a-b\//);
  const one = await runCli(['render', '--offline', '--out', 'single', join(FIXTURES, 'boot-iso-modern/template')], { cwd, env: testEnv(cwd) });
  assert.equal(one.code, 0, one.stderr);
  assert.ok(existsSync(join(cwd, 'single', 'debian.pkr.hcl')), 'one template: --out is its output directory');
  assert.doesNotMatch(one.stdout, /==>|rendered \d+ of/);
});
