// Packer's errors name the rendered copy; hclx points at the user's own line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineMap, mapDiagnostics } from '../../src/pipeline/rendered-lines.js';
import { loadTemplate } from '../../src/template/load.js';

const ORIGINAL = ['a = 1', 'block {', '  url = 1', '  sum = 2', '  pool = 3', '}', 'tail = 2', 'end = 3'].join('\n');
const RENDERED = ['a = 1', 'block {', '  iso_file = "x"', '}', 'tail = 2', 'end = 3'].join('\n');

test('unchanged lines map to their original line; new lines to the line they replace', () => {
  const map = lineMap(ORIGINAL, RENDERED);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(map), [1, 2, 3, 6, 7, 8]);
  assert.equal(lineMap('x\ny\n', 'x\ny\n')(2), 2);
});

test('lines whose = were realigned around the edit (packer fmt) still map to their own line', () => {
  const original = ['s {', '  iso_url          = "u"', '  iso_download_pve = true', '  bad_setting      = 1', '  tail             = 2', '}'].join('\n');
  const rendered = ['s {', '  iso_file    = "x"', '  bad_setting = 1', '  tail        = 2', '}'].join('\n');
  assert.deepEqual([1, 2, 3, 4, 5].map(lineMap(original, rendered)), [1, 2, 4, 5, 6]);
});

test('diagnostics naming a rendered file map to the user file; others are left out', async () => {
  const work = mkdtempSync(join(tmpdir(), 'hclx-lines-'));
  try {
    const user = join(work, 'user');
    const rendered = join(work, 'rendered');
    mkdirSync(user);
    mkdirSync(rendered);
    writeFileSync(join(user, 't.pkr.hcl'), ORIGINAL.replace('block {', 'source "null" "x" {') + '\n');
    writeFileSync(join(rendered, 't.pkr.hcl'), RENDERED.replace('block {', 'source "null" "x" {') + '\n');
    const template = await loadTemplate('user/t.pkr.hcl', { cwd: work });
    const mapped = mapDiagnostics(
      [
        { severity: 'error', file: join(rendered, 't.pkr.hcl'), line: 5, summary: 'Unsupported argument', detail: '' },
        { severity: 'error', file: 'rendered/t.pkr.hcl', line: 3, summary: 'Bad value', detail: '' },
        { severity: 'error', file: 'elsewhere.pkr.hcl', line: 3, summary: 'Not ours', detail: '' },
        { severity: 'error', build: 'null.x', summary: 'errored', detail: '' },
      ],
      template,
      rendered,
      work,
    );
    assert.deepEqual(
      mapped.map((m) => [m.diagnostic.summary, m.at]),
      [
        ['Unsupported argument', 'user/t.pkr.hcl:7'],
        ['Bad value', 'user/t.pkr.hcl:3'],
      ],
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
