// Edit primitives against fixtures/hcl/edit/<case>/{input,expected}.pkr.(hcl|json) and op.json,
// plus the identity invariant and removal of every item of real templates.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InternalError } from '../../src/errors.js';
import {
  applyEdits,
  blockText,
  insertAttributes,
  insertBlock,
  printValue,
  removeItem,
  replaceExpression,
  replaceItem,
  type Anchor,
  type NewAttribute,
} from '../../src/hcl/edit.js';
import type { Block, Body, BodyItem, SourceFile, TextEdit } from '../../src/hcl/model.js';
import { parseFile } from '../../src/hcl/parse.js';
import { CORPUS, sharedSkip } from '../support/shared.js';

const CASES = 'fixtures/hcl/edit';

function findStep(body: Body, step: string): BodyItem {
  const [spec, nth] = step.split('#') as [string, string | undefined];
  const [type, ...labels] = spec.split(' ');
  const matches = body.content().filter((i) => (i.kind === 'attribute' ? i.name === type && labels.length === 0 : i.type === type && labels.every((l, k) => i.labels[k] === l)));
  const found = matches[Number(nth ?? 0)];
  assert.ok(found, `no item "${step}"`);
  return found;
}

/** The item at `path` (an empty path stands for the file's root body). */
function resolve(file: SourceFile, path: string[]): BodyItem | { kind: 'block'; body: Body } {
  let body = file.body;
  let item: BodyItem | { kind: 'block'; body: Body } = { kind: 'block', body };
  for (const step of path) {
    item = findStep(body, step);
    if (item.kind === 'block') body = item.body;
  }
  return item;
}

interface Op {
  op: 'remove' | 'replace' | 'insert' | 'insertBlock';
  path: string[];
  value?: never;
  expression?: string;
  anchor?: 'start' | 'end' | { after: string } | { before: string };
  attrs?: NewAttribute[];
  type?: string;
  labels?: string[];
  blankLineBefore?: boolean;
}

function editsFor(file: SourceFile, op: Op): TextEdit[] {
  const item = resolve(file, op.path);
  if (op.op === 'remove') return removeItem(item as BodyItem);
  if (op.op === 'replace') {
    assert.equal(item.kind, 'attribute');
    return replaceExpression(item as Extract<BodyItem, { kind: 'attribute' }>, 'value' in op ? { value: op.value as never } : { expression: op.expression as string });
  }
  const body = (item as Block).body;
  const a = op.anchor ?? 'end';
  const anchor: Anchor = typeof a === 'string' ? a : 'after' in a ? { after: findStep(body, a.after) } : { before: findStep(body, a.before) };
  if (op.op === 'insert') return insertAttributes(body, anchor, op.attrs ?? []);
  return insertBlock(body, anchor, op.type as string, op.labels ?? [], op.attrs ?? [], { blankLineBefore: op.blankLineBefore ?? false });
}

describe('edit fixtures', () => {
  for (const name of readdirSync(CASES).sort()) {
    it(name, async () => {
      const dir = join(CASES, name);
      const ext = existsSync(join(dir, 'input.pkr.json')) ? 'pkr.json' : 'pkr.hcl';
      const text = readFileSync(join(dir, `input.${ext}`), 'utf8');
      const expected = readFileSync(join(dir, `expected.${ext}`), 'utf8');
      const file = await parseFile({ path: join(dir, `input.${ext}`), displayPath: `input.${ext}`, text });
      const ops = JSON.parse(readFileSync(join(dir, 'op.json'), 'utf8')) as Op[];
      const edits = ops.flatMap((op) => editsFor(file, op));
      const out = applyEdits(text, edits);
      assert.equal(out, expected);
      // The result is still valid and keeps the file's line endings.
      await parseFile({ path: `expected.${ext}`, displayPath: `expected.${ext}`, text: out });
      if (file.eol === '\r\n') assert.equal(out.replace(/\r\n/g, '').includes('\n'), false, 'a bare LF slipped into a CRLF file');
    });
  }
});

describe('applyEdits', () => {
  it('returns the same text for no edits (identity)', () => {
    for (const t of ['', 'a = 1\n', 'a = 1\r\nb = 2\r\n', '\uFEFFx = "é😀"']) assert.equal(applyEdits(t, []), t);
  });
  it('applies edits in offset order whatever their order in the list', () => {
    const edits: TextEdit[] = [
      { file: 'f', start: 4, end: 5, text: 'Y' },
      { file: 'f', start: 0, end: 1, text: 'X' },
      { file: 'f', start: 2, end: 2, text: '+' },
    ];
    assert.equal(applyEdits('abcdef', edits), 'Xb+cdYf');
  });
  it('rejects overlapping edits as an internal error', () => {
    assert.throws(() => applyEdits('abcdef', [
      { file: 'f', start: 0, end: 3, text: '' },
      { file: 'f', start: 2, end: 4, text: '' },
    ]), InternalError);
  });
});

describe('printValue', () => {
  it('prints HCL literals with template markers escaped', () => {
    assert.equal(printValue('a "b" ${c} %{d} \\ \n'), '"a \\"b\\" $${c} %%{d} \\\\ \\n"');
    assert.equal(printValue(1.5), '1.5');
    assert.equal(printValue(1e21), '1000000000000000000000');
    assert.equal(printValue(null), 'null');
    assert.equal(printValue(['a', 1, true]), '["a", 1, true]');
    assert.equal(printValue({ b: 1, 'with space': 'x' }, '  '), '{\n    b            = 1\n    "with space" = "x"\n  }');
    assert.equal(printValue([{ a: 1 }]), '[\n  {\n    a = 1\n  },\n]');
  });
  it('round-trips through the parser', async () => {
    const { parseExpression } = await import('../../src/hcl/parse.js');
    const { evaluate } = await import('../../src/hcl/evaluate.js');
    const v = { s: 'x${y}%{z}"\\\n\t', n: -2.25, l: [1, 'two', null, false], o: { 'a-b': [] } };
    const e = await parseExpression(printValue(v), 'printed');
    assert.deepEqual(evaluate(e, { lookup: () => undefined, functions: {} }), v);
  });
});

describe('printValue round trip (property)', () => {
  const key = fc.string({ maxLength: 8 });
  const str = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('${x}', '%{ if }', '$${', '"\\', 'é😀', 'a\r\nb', '\u0001'));
  const num = fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }).filter((n) => !Object.is(n, -0)));
  const leaf = fc.oneof(str, num, fc.boolean(), fc.constant(null));
  const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 4 })),
  })).v;
  it('evaluates printed values back to the same value', async () => {
    const { parseExpression } = await import('../../src/hcl/parse.js');
    const { evaluate } = await import('../../src/hcl/evaluate.js');
    await fc.assert(
      fc.asyncProperty(value, async (generated) => {
        // fast-check builds null-prototype objects; compare with ordinary ones.
        const v = JSON.parse(JSON.stringify(generated)) as never;
        const e = await parseExpression(printValue(v, '  '), 'printed');
        assert.deepEqual(evaluate(e, { lookup: () => undefined, functions: {} }), v);
      }),
      { numRuns: 200 },
    );
  });
});

describe('blockText', () => {
  it('writes a block with aligned attributes and nested blocks', () => {
    const text = blockText({ type: 'source', labels: ['proxmox-iso', 'x'], attrs: [{ name: 'node', value: 'pve' }, { name: 'iso_file', expression: 'var.f' }], blocks: [{ type: 'boot_iso', labels: [], attrs: [{ name: 'type', value: 'scsi' }] }] });
    assert.equal(text, 'source "proxmox-iso" "x" {\n  node     = "pve"\n  iso_file = var.f\n\n  boot_iso {\n    type = "scsi"\n  }\n}');
  });
});

describe('replaceItem', () => {
  it('replaces the item text only (comments stay)', async () => {
    const text = '# lead\nfoo "a" {\n  x = 1\n} # trailing\n';
    const file = await parseFile({ path: 'f.pkr.hcl', displayPath: 'f.pkr.hcl', text });
    const out = applyEdits(text, replaceItem(file.body.content()[0] as BodyItem, 'bar {\n}'));
    assert.equal(out, '# lead\nbar {\n} # trailing\n');
  });
});

function walkItems(body: Body, out: BodyItem[] = []): BodyItem[] {
  for (const item of body.content()) {
    out.push(item);
    if (item.kind === 'block') walkItems(item.body, out);
  }
  return out;
}

describe('removeItem on real templates', { skip: sharedSkip() }, () => {
  const files = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((c) => (c[4] ?? '').includes('download_pve') && !(c[4] ?? '').includes('symlink') && !(c[4] ?? '').includes('invalid_syntax') && /\.pkr\.hcl$/.test(c[2] ?? ''))
    .map((c) => join(CORPUS, `${(c[0] as string).replace('/', '__')}`, c[2] as string));
  it('finds the download_pve templates', () => assert.ok(files.length >= 5, `only ${files.length} files`));
  const variants = files.flatMap((path, i) => [
    { path, crlf: false },
    // The same templates with CRLF line endings (a few are enough).
    ...(i % 4 === 0 ? [{ path, crlf: true }] : []),
  ]);
  for (const { path, crlf } of variants) {
    it(`removes every item of ${path.slice(CORPUS.length)}${crlf ? ' (CRLF)' : ''} cleanly`, async () => {
      const raw = readFileSync(path, 'utf8');
      const text = crlf ? raw.replace(/\r?\n/g, '\r\n') : raw;
      const file = await parseFile({ path, displayPath: path, text });
      const reparsed: Array<Promise<SourceFile>> = [];
      const items = walkItems(file.body);
      items.forEach((item, n) => {
        const edits = removeItem(item);
        assert.equal(edits.length, 1);
        const e = edits[0] as TextEdit;
        // Only one contiguous range goes, it covers the item, and everything else is kept.
        assert.ok(e.start <= item.range.start.offset && e.end >= item.range.end.offset);
        assert.equal(e.text, '');
        const out = applyEdits(text, edits);
        assert.equal(out, text.slice(0, e.start) + text.slice(e.end));
        if (crlf) assert.equal(/(^|[^\r])\n/.test(out), false, 'a removal split a CRLF line break');
        // Re-parsing every result would take seconds; every fifth one (and the last) is enough.
        if (n % 5 === 0 || n === items.length - 1) reparsed.push(parseFile({ path, displayPath: path, text: out }));
      });
      await Promise.all(reparsed);
    });
  }
});
