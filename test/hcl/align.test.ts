// packer fmt's alignment after edits: only the runs of arguments (and trailing comments) an edit
// touched are realigned, by hclwrite's rules; checked against the real `packer fmt` where present.
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, removeItems, replaceWithAttributes } from '../../src/hcl/edit.js';
import { applyEditsAligned, withFmtAlignment } from '../../src/hcl/align.js';
import type { Attribute, Block, SourceFile, TextEdit } from '../../src/hcl/model.js';
import { parseFile } from '../../src/hcl/parse.js';
import { packerFmtProblems, toolSkip } from '../support/tools.js';

/** One edit replacing the first occurrence of `from` by `to`. */
function edit(text: string, from: string, to: string): TextEdit {
  const start = text.indexOf(from);
  assert.ok(start >= 0, from);
  return { file: 't.pkr.hcl', start, end: start + from.length, text: to };
}

const BLOCK = `x {
  a = 1
  bb = 2   # untouched, so never realigned

  node     = "pve"
  iso_file = "local:iso/a.iso" # upload
  unmount  = true
}
`;

describe('applyEditsAligned', () => {
  it('realigns the run an edit touched, and nothing else', () => {
    const out = applyEditsAligned(BLOCK, [edit(BLOCK, 'iso_file = "local:iso/a.iso" # upload', 'iso_storage_pool = "local"\n  iso_download_pve = true # node')]);
    assert.equal(
      out,
      `x {
  a = 1
  bb = 2   # untouched, so never realigned

  node             = "pve"
  iso_storage_pool = "local"
  iso_download_pve = true # node
  unmount          = true
}
`,
    );
  });

  it('a removed line lets the run shrink, as packer fmt does', () => {
    const out = applyEditsAligned(BLOCK, [edit(BLOCK, '  iso_file = "local:iso/a.iso" # upload\n', '')]);
    assert.match(out, /\n {2}node {4}= "pve"\n {2}unmount = true\n/);
  });

  it('comment lines, blank lines, braces and multi-line values end a run; heredoc lines are text', () => {
    const text = `y {
  a = 1
  # note
  longer_name = 2
  list = [
    1,
  ]
  h = <<EOT
  not = an argument
EOT
  z = 3
}
`;
    const out = applyEditsAligned(text, [edit(text, 'a = 1', 'a = 10'), edit(text, 'z = 3', 'zz = 3')]);
    assert.equal(out, text.replace('a = 1', 'a = 10').replace('z = 3', 'zz = 3'));
  });

  it('aligns trailing comments of a run and keeps CRLF line endings', () => {
    const text = 'z {\r\n  a = 1 # one\r\n  b = 2 # two\r\n}\r\n';
    const out = applyEditsAligned(text, [edit(text, 'b = 2', 'bbb = 2')]);
    assert.equal(out, 'z {\r\n  a   = 1 # one\r\n  bbb = 2 # two\r\n}\r\n');
  });

  it('object keys inside a one-line value do not start a run; `==` and `=>` are not assignments', () => {
    const text = 'w {\n  a = { k = 1 }\n  bbbb = x == 1 ? 2 : 3\n  c = [for k, v in m : k => v]\n}\n';
    const out = applyEditsAligned(text, [edit(text, 'a = {', 'a = {')]);
    assert.equal(out, 'w {\n  a    = { k = 1 }\n  bbbb = x == 1 ? 2 : 3\n  c    = [for k, v in m : k => v]\n}\n');
  });

  it('agrees with packer fmt', { skip: toolSkip('packer', 'comparing the alignment with packer fmt') }, () => {
    const text = `source "proxmox-iso" "u" {
  node        = "pve"
  vm_name     = "u"
  iso_file    = "local:iso/u.iso" # uploaded
  unmount_iso = true

  boot {
    a = 1 // c
    bb = 2 /* d */
  }
  tags = {
    k = "v"
    kk = "w"
  }
  s = "\${var.x} = \\" }" # tricky
}
`;
    const out = applyEditsAligned(text, [
      edit(text, 'iso_file    = "local:iso/u.iso" # uploaded\n  unmount_iso = true', 'boot_iso {\n    iso_url = "https://x/u.iso"\n    iso_checksum = "none" # x\n    unmount = true\n  }'),
      edit(text, 'bb = 2', 'bb = 2'),
      edit(text, 'kk = "w"', 'kk = "w"'),
      edit(text, 's = "', 's = "'),
    ]);
    assert.equal(packerFmtProblems(out), undefined, out);
  });
});

// withFmtAlignment(): the same alignment as edits, for the render's rewrite; removeItems with
// keepComments leaves the comments of what it removes. (The rendered fixtures check the result
// with the real `packer fmt -check`: test/rewrite/render-fixtures.test.ts.)

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
