// withFmtAlignment(): the `=` and trailing-comment runs an edit touched are laid out as packer fmt
// (hclwrite formatCells) lays them; runs no edit touched keep their spaces. removeItems with
// keepComments leaves the comments of what it removes. (The rendered fixtures check the result
// with the real `packer fmt -check`: test/rewrite/render-fixtures.test.ts.)

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits, removeItems, replaceWithAttributes } from '../../src/hcl/edit.js';
import { withFmtAlignment } from '../../src/hcl/fmt-align.js';
import type { Attribute, Block, SourceFile } from '../../src/hcl/model.js';
import { parseFile } from '../../src/hcl/parse.js';

const TEXT = `a {
  x                = 1
  iso_storage_pool = "local" # where
  long_name_here   = 2
}

b {
  loose = 1
  y  = 2
}
`;

async function parse(text: string): Promise<SourceFile> {
  return parseFile({ path: '/t/a.pkr.hcl', displayPath: 'a.pkr.hcl', text });
}

function attr(file: SourceFile, block: number, name: string): Attribute {
  const b = file.body.content()[block] as Block;
  return b.body.content().find((i) => i.kind === 'attribute' && i.name === name) as Attribute;
}

test('removing the longest name pulls the run back; a run no edit touched keeps its spaces', async () => {
  const file = await parse(TEXT.replace('long_name_here   = 2', 'z                = 2'));
  const edits = withFmtAlignment(file, removeItems([attr(file, 0, 'iso_storage_pool')]));
  assert.equal(applyEdits(file.text, edits), 'a {\n  x = 1\n  z = 2\n}\n\nb {\n  loose = 1\n  y  = 2\n}\n');
});

test('keepComments: the same-line comment stays as a line of its own, which ends the run', async () => {
  const file = await parse(TEXT);
  const edits = withFmtAlignment(file, removeItems([attr(file, 0, 'iso_storage_pool')], { keepComments: true }));
  assert.equal(applyEdits(file.text, edits).split('\n').slice(0, 5).join('\n'), 'a {\n  x = 1\n  # where\n  long_name_here = 2\n}');
});

test('a new line takes the column of its run, and trailing comments of the run line up after the longest code', async () => {
  const file = await parse('a {\n  x = 1 # one\n  iso_url = "https://h/x.iso" # the mirror\n  yy = 22 # two\n}\n');
  const replaced = replaceWithAttributes(attr(file, 0, 'iso_url'), [{ name: 'iso_file', value: 'l:iso/x.iso' }], { keepLeadComments: true, keepTrailingComment: true });
  const out = applyEdits(file.text, withFmtAlignment(file, replaced));
  assert.equal(out, 'a {\n  x        = 1             # one\n  iso_file = "l:iso/x.iso" # the mirror\n  yy       = 22            # two\n}\n');
});

test('no edit, no change', async () => {
  const file = await parse(TEXT);
  assert.deepEqual(withFmtAlignment(file, []), []);
});
