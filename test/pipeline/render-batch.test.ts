// renderBatch: several templates in one process, each as if alone, each into its own directory;
// a failing template is a result, not the end of the batch; the exit code is the highest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, HclxError, InterruptedError, ProxmoxError, UsageError } from '../../src/errors.js';
import { offlineVolids, renderTemplate } from '../../src/pipeline/render.js';
import { batchExitCode, batchOutDirs, renderBatch, type BatchResult } from '../../src/pipeline/render-batch.js';
import { ROOT, tempDir } from '../e2e/support.js';

const MODERN = join(ROOT, 'fixtures/render/boot-iso-modern/template');
const LEGACY = join(ROOT, 'fixtures/render/boot-iso-legacy/template');

function common(cwd: string) {
  return { cwd, env: {}, varFiles: [], vars: [], target: 'auto' as const, resolveVolids: offlineVolids('url') };
}

test('batchOutDirs: one subdirectory per template, named after its path relative to the working directory', () => {
  const cwd = '/repo';
  assert.deepEqual(batchOutDirs(['templates/debian/12', './ubuntu.pkr.hcl', '/repo/x/y/', '/elsewhere/z.pkr.json'], 'out', cwd), [
    { template: 'templates/debian/12', outDir: '/repo/out/templates-debian-12' },
    { template: './ubuntu.pkr.hcl', outDir: '/repo/out/ubuntu' },
    { template: '/repo/x/y/', outDir: '/repo/out/x-y' },
    { template: '/elsewhere/z.pkr.json', outDir: '/repo/out/elsewhere-z' },
  ]);
  // Without --out each template goes to renderTemplate's own default directory.
  assert.deepEqual(batchOutDirs(['a', 'b'], undefined, cwd), [{ template: 'a' }, { template: 'b' }]);
});

test('batchOutDirs: two templates that would share a directory, or one given twice, are a usage error', () => {
  assert.throws(() => batchOutDirs(['a/b', 'a-b'], 'out', '/repo'), (e: unknown) => e instanceof UsageError && /'a\/b' and 'a-b' would both render into a-b\//.test(e.message));
  assert.throws(() => batchOutDirs(['a', './a/'], 'out', '/repo'), (e: unknown) => e instanceof UsageError && /given twice/.test(e.message));
});

test('batchExitCode: the highest code of the templates', () => {
  const r = (exitCode: number): BatchResult => (exitCode === 0 ? ({ template: 't', exitCode: 0, report: {} } as BatchResult) : { template: 't', exitCode, error: new Error() });
  assert.equal(batchExitCode([]), ExitCode.ok);
  assert.equal(batchExitCode([r(0), r(0)]), 0);
  assert.equal(batchExitCode([r(0), r(1)]), 1);
  assert.equal(batchExitCode([r(1), r(2), r(0)]), 2);
});

test('renderBatch renders each template as renderTemplate alone would, and goes on after a template error', async () => {
  const cwd = tempDir('batch');
  const broken = join(cwd, 'broken');
  mkdirSync(broken);
  writeFileSync(join(broken, 'a.pkr.hcl'), 'source "null" "x" {\n  communicator = \n}\n');
  const entries = batchOutDirs([MODERN, broken, LEGACY], join(cwd, 'out'), cwd);
  const started: string[] = [];
  const reported: number[] = [];
  const results = await renderBatch({ ...common(cwd), entries, onStart: (e) => started.push(e.template), onResult: (_r, i) => reported.push(i) });
  assert.deepEqual(started, [MODERN, broken, LEGACY]);
  assert.deepEqual(reported, [0, 1, 2]);
  assert.deepEqual(results.map((r) => r.exitCode), [0, 2, 0]);
  const failure = results[1]!;
  assert.ok('error' in failure && failure.error instanceof HclxError);
  assert.match(failure.error.describe(), /broken\/a\.pkr\.hcl:2:17: /);
  assert.equal(batchExitCode(results), 2);

  // The same bytes as a render of that template alone.
  for (const [i, template] of [MODERN, LEGACY].entries()) {
    const alone = await renderTemplate({ ...common(cwd), templatePath: template, outDir: join(cwd, `alone-${i}`) });
    const inBatch = results[i * 2]!;
    assert.ok('report' in inBatch);
    for (const entry of alone.emitted.entries.filter((e) => e.kind !== 'symlink')) {
      assert.equal(readFileSync(join(inBatch.report.emitted.outDir, entry.name), 'utf8'), readFileSync(join(alone.emitted.outDir, entry.name), 'utf8'), entry.name);
    }
  }
  assert.ok(!existsSync(entries[1]!.outDir!), 'nothing is written for the template that failed');
});

test('renderBatch stops between templates once interrupted (130), and does not swallow bugs', async () => {
  const cwd = tempDir('batch-stop');
  const controller = new AbortController();
  const entries = batchOutDirs([MODERN, LEGACY], join(cwd, 'out'), cwd);
  const done: string[] = [];
  await assert.rejects(
    renderBatch({ ...common(cwd), entries, signal: controller.signal, onResult: (r) => (done.push(r.template), controller.abort()) }),
    (e: unknown) => e instanceof InterruptedError && e.exitCode === 130 && /after 1 of 2/.test(e.message),
  );
  assert.deepEqual(done, [MODERN]);

  const bug = renderBatch({ ...common(cwd), entries, resolveVolids: () => Promise.reject(new TypeError('boom')) });
  await assert.rejects(bug, TypeError);
  const operational = await renderBatch({ ...common(cwd), entries: batchOutDirs([MODERN], join(cwd, 'out2'), cwd), resolveVolids: () => Promise.reject(new ProxmoxError('node down')) });
  assert.equal(operational[0]!.exitCode, 1);
});
