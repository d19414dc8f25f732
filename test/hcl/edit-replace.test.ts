// The shared edit layer's replacing, batch-removing and carrying primitives (what render's rewrite
// and migrate use), checked on exact text. The first cases are the ones the rewrite's private
// splicer was tested with, unchanged.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, insertAttributes, insertBlock, removeItem, removeItems, replaceWithAttributes, replaceWithBlock, replaceWithLines } from '../../src/hcl/edit.js';
import type { Attribute, Block, Body, SourceFile, TextEdit } from '../../src/hcl/model.js';
import { parseFile } from '../../src/hcl/parse.js';

async function parse(text: string, syntax: 'hcl' | 'json' = 'hcl'): Promise<SourceFile> {
  return parseFile({ path: `/x/t.pkr.${syntax}`, displayPath: `t.pkr.${syntax}`, text, syntax });
}
function block(body: Body, type = 'source'): Block {
  return body.content({ blocks: { source: { labels: 2 }, b: { labels: 0 }, boot_iso: { labels: 0 } } }).find((i): i is Block => i.kind === 'block' && i.type === type)!;
}
function attrs(file: SourceFile, blockType = 'source'): Map<string, Attribute> {
  return new Map(
    block(file.body, blockType)
      .body.content({ blocks: {} })
      .filter((i): i is Attribute => i.kind === 'attribute')
      .map((a) => [a.name, a]),
  );
}
function apply(file: SourceFile, edits: TextEdit[]): string {
  return applyEdits(file.text, edits);
}

describe('replacing and removing (render rewrite cases)', () => {
  it('an attribute takes its lead comments and same-line comment; a double blank line it leaves is collapsed', async () => {
    const file = await parse(['source "a" "b" {', '  x = 1', '', '  # about y', '  // more about y', '  y = 2 # trailing', '', '  z = 3', '}', ''].join('\n'));
    assert.equal(apply(file, removeItem(attrs(file).get('y')!)), ['source "a" "b" {', '  x = 1', '', '  z = 3', '}', ''].join('\n'));
  });

  it('a comment separated by a blank line stays; replacing keeps the = column', async () => {
    const file = await parse(['source "a" "b" {', '  # section', '', '  iso_url      = "u" # old', '  iso_checksum = "c"', '}', ''].join('\n'));
    const a = attrs(file);
    const edits = [...replaceWithAttributes(a.get('iso_url')!, [{ name: 'iso_file', value: 'local:iso/x.iso' }]), ...removeItems([a.get('iso_checksum')!])];
    assert.equal(apply(file, edits), ['source "a" "b" {', '  # section', '', '  iso_file     = "local:iso/x.iso"', '}', ''].join('\n'));
  });

  it('CRLF files get CRLF lines; multi-line values are removed whole', async () => {
    const file = await parse(['source "a" "b" {', '  iso_urls = [', '    "https://a/x.iso",', '  ]', '  keep = true', '}', ''].join('\r\n'));
    const edits = replaceWithAttributes(attrs(file).get('iso_urls')!, [
      { name: 'iso_file', value: 'local:iso/x.iso' },
      { name: 'device', value: 'ide3' },
    ]);
    assert.equal(apply(file, edits), ['source "a" "b" {', '  iso_file = "local:iso/x.iso"', '  device   = "ide3"', '  keep = true', '}', ''].join('\r\n'));
  });

  it('an attribute sharing its line with others is cut out alone', async () => {
    const file = await parse('b { x = 1 }\n');
    const x = block(file.body, 'b').body.content({ blocks: {} })[0] as Attribute;
    assert.equal(apply(file, replaceWithAttributes(x, [{ name: 'y', value: 2 }])), 'b { y = 2 }\n');
  });

  it('JSON: a property goes with one comma, the replaced one keeps its place', async () => {
    const text = '{\n  "source": { "p": { "n": {\n    "iso_url": "u",\n    "iso_checksum": "none",\n    "node": "pve",\n    "iso_download_pve": true\n  } } }\n}\n';
    const file = await parse(text, 'json');
    const a = attrs(file);
    const edits = [...replaceWithAttributes(a.get('iso_url')!, [{ name: 'iso_file', value: 'local:iso/u.iso' }]), ...removeItems([a.get('iso_checksum')!, a.get('iso_download_pve')!])];
    const out = apply(file, edits);
    assert.equal(out, '{\n  "source": { "p": { "n": {\n    "iso_file": "local:iso/u.iso",\n    "node": "pve"\n  } } }\n}\n');
    assert.deepEqual(JSON.parse(out).source.p.n, { iso_file: 'local:iso/u.iso', node: 'pve' });
  });
});

describe('removeItems', () => {
  it('removes touching lines as one run, so the blank lines around it do not double', async () => {
    const file = await parse(['source "a" "b" {', '  x = 1', '', '  iso_checksum = "c"', '  iso_download_pve = true', '', '  z = 3', '}', ''].join('\n'));
    const a = attrs(file);
    const out = apply(file, removeItems([a.get('iso_checksum')!, a.get('iso_download_pve')!]));
    assert.equal(out, ['source "a" "b" {', '  x = 1', '', '  z = 3', '}', ''].join('\n'));
  });

  it('JSON: the last properties of an object go together with the comma before them', async () => {
    const file = await parse('{"source": {"p": {"n": {\n  "node": "pve",\n  "iso_url": "u",\n  "iso_download_pve": true\n}}}}\n', 'json');
    const a = attrs(file);
    const out = apply(file, removeItems([a.get('iso_download_pve')!, a.get('iso_url')!]));
    assert.equal(out, '{"source": {"p": {"n": {\n  "node": "pve"\n}}}}\n');
  });

  it('an item inside a removed block is covered by the block', async () => {
    const file = await parse('source "a" "b" {\n  boot_iso {\n    iso_url = "u"\n  }\n  x = 1\n}\n');
    const boot = block(block(file.body).body, 'boot_iso');
    const url = boot.body.content()[0]!;
    assert.equal(apply(file, removeItems([url, boot])), 'source "a" "b" {\n  x = 1\n}\n');
  });
});

describe('replaceWithLines / replaceWithAttributes options', () => {
  it('keepLeadComments and keepTrailingComment leave the comments where they are; the other lines follow', async () => {
    const file = await parse(['b {', '  # the bus', '  device = "sata4" # drivers', '  unmount = true', '}', ''].join('\n'));
    const device = attrs(file, 'b').get('device')!;
    const edits = replaceWithAttributes(
      device,
      [
        { name: 'type', value: 'sata' },
        { name: 'index', value: '4' },
      ],
      { keepLeadComments: true, keepTrailingComment: true, unaligned: 'none' },
    );
    assert.equal(apply(file, edits), ['b {', '  # the bus', '  type = "sata" # drivers', '  index = "4"', '  unmount = true', '}', ''].join('\n'));
  });

  it('lines up = with the aligned run the replaced attribute was in', async () => {
    const file = await parse(['b {', '  iso_checksum = "c"', '  iso_url      = "u"', '  node         = "pve"', '}', ''].join('\n'));
    const url = attrs(file, 'b').get('iso_url')!;
    assert.equal(apply(file, replaceWithAttributes(url, [{ name: 'iso_file', value: 'l:iso/u.iso' }])), ['b {', '  iso_checksum = "c"', '  iso_file     = "l:iso/u.iso"', '  node         = "pve"', '}', ''].join('\n'));
  });

  it('insertAttributes aligns with an aligned neighbour run (alignWith), and not at all outside one with unaligned: none', async () => {
    const file = await parse(['b {', '  iso_file         = "l:iso/a.iso"', '  iso_storage_pool = "local"', '}', 'c {', '  x = 1', '}', ''].join('\n'));
    const b = block(file.body, 'b');
    const pool = attrs(file, 'b').get('iso_storage_pool')!;
    const c = file.body.content({ blocks: { c: { labels: 0 } } }).find((i): i is Block => i.kind === 'block' && i.type === 'c')!;
    const x = c.body.content()[0] as Attribute;
    const edits = [
      ...insertAttributes(b.body, 'end', [{ name: 'unmount', value: true }], { alignWith: pool }),
      ...insertAttributes(c.body, 'end', [{ name: 'ab', value: 1 }, { name: 'abcd', value: 2 }], { alignWith: x, unaligned: 'none' }),
    ];
    assert.equal(apply(file, edits), ['b {', '  iso_file         = "l:iso/a.iso"', '  iso_storage_pool = "local"', '  unmount          = true', '}', 'c {', '  x = 1', '  ab = 1', '  abcd = 2', '}', ''].join('\n'));
  });

  it('replaceWithLines writes relative lines at the item indentation, keeping a block lead comment', async () => {
    const file = await parse(['source "a" "b" {', '  # installer', '  dynamic "x" {', '    for_each = []', '  }', '}', ''].join('\n'));
    const dyn = block(file.body).body.content()[0]!;
    assert.equal(apply(file, replaceWithLines(dyn, ['x {', '  a = 1', '}'], { keepLeadComments: true })), ['source "a" "b" {', '  # installer', '  x {', '    a = 1', '  }', '}', ''].join('\n'));
  });
});

describe('replaceWithBlock', () => {
  it('moves attributes into a new block with their comments (commentsFrom); the replaced one keeps its lead comments outside', async () => {
    const text = [
      'source "a" "b" {',
      '    # Installer ISO',
      '    iso_file = "local:iso/x.iso" # pinned',
      '    # Eject it afterwards.',
      '    unmount_iso = true // always',
      '    cores = 2',
      '}',
      '',
    ].join('\n');
    const file = await parse(text);
    const a = attrs(file);
    const isoFile = a.get('iso_file')!;
    const unmount = a.get('unmount_iso')!;
    const edits = [
      ...replaceWithBlock(isoFile, {
        type: 'boot_iso',
        labels: [],
        attrs: [
          { name: 'iso_file', source: isoFile.expr, commentsFrom: isoFile },
          { name: 'unmount', source: unmount.expr, commentsFrom: unmount },
        ],
      }),
      ...removeItems([unmount]),
    ];
    assert.equal(
      apply(file, edits),
      [
        'source "a" "b" {',
        '    # Installer ISO',
        '    boot_iso {',
        '        iso_file = "local:iso/x.iso" # pinned',
        '        # Eject it afterwards.',
        '        unmount  = true // always',
        '    }',
        '    cores = 2',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('a copied multi-line expression moves with its line; a heredoc stays as written', async () => {
    const text = ['source "a" "b" {', '  iso_urls = [', '    "https://a/x.iso",', '  ]', '  cd_content = {', '    "x" = <<EOF', 'raw', 'EOF', '  }', '}', ''].join('\n');
    const file = await parse(text);
    const a = attrs(file);
    const urls = a.get('iso_urls')!;
    const content = a.get('cd_content')!;
    const edits = [...replaceWithBlock(urls, { type: 'boot_iso', labels: [], attrs: [{ name: 'iso_urls', source: urls.expr }, { name: 'cd_content', source: content.expr }] }), ...removeItems([content])];
    assert.equal(
      apply(file, edits),
      ['source "a" "b" {', '  boot_iso {', '    iso_urls   = [', '      "https://a/x.iso",', '    ]', '    cd_content = {', '    "x" = <<EOF', 'raw', 'EOF', '  }', '  }', '}', ''].join('\n'),
    );
  });

  it('JSON: native expressions become JSON values (literals stay literals, templates stay templates)', async () => {
    const file = await parse('{"source": {"p": {"n": {\n  "iso_file": "local:iso/a.iso",\n  "node": "pve"\n}}}}\n', 'json');
    const isoFile = attrs(file).get('iso_file')!;
    const edits = replaceWithBlock(isoFile, {
      type: 'boot_iso',
      labels: [],
      attrs: [
        { name: 'iso_url', expression: '"https://x/${var.v}/a.iso"' },
        { name: 'iso_storage_pool', expression: 'split(":", var.f)[0]' },
        { name: 'iso_download_pve', expression: 'true' },
        { name: 'iso_file', source: isoFile.expr },
      ],
    });
    const out = apply(file, edits);
    assert.equal(
      out,
      '{"source": {"p": {"n": {\n  "boot_iso": {\n    "iso_url": "https://x/${var.v}/a.iso",\n    "iso_storage_pool": "${split(\\":\\", var.f)[0]}",\n    "iso_download_pve": true,\n    "iso_file": "local:iso/a.iso"\n  },\n  "node": "pve"\n}}}}\n',
    );
    assert.equal(JSON.parse(out).source.p.n.boot_iso.iso_download_pve, true);
  });
});

describe('insertBlock at the end of a file', () => {
  it('keeps the CRLF line endings and separates the block by a blank line', async () => {
    const file = await parse('a = 1\r\n');
    const out = apply(file, insertBlock(file.body, 'end', 'variable', ['v'], [{ name: 'type', expression: 'string' }, { name: 'default', value: 'x' }], { blankLineBefore: true }));
    assert.equal(out, 'a = 1\r\n\r\nvariable "v" {\r\n  type    = string\r\n  default = "x"\r\n}\r\n');
  });
});
