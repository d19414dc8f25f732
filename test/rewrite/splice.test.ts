// Edits as splices of the original text with hclwrite's comment ownership, checked on exact text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFile } from '../../src/hcl/parse.js';
import type { Attribute, Block, SourceFile } from '../../src/hcl/model.js';
import { applyTextEdits, FileEdits } from '../../src/rewrite/splice.js';

async function parse(text: string, syntax: 'hcl' | 'json' = 'hcl'): Promise<SourceFile> {
  return parseFile({ path: `/x/t.pkr.${syntax}`, displayPath: `t.pkr.${syntax}`, text, syntax });
}
function attrs(file: SourceFile, blockType = 'source'): Map<string, Attribute> {
  const block = file.body.content({ blocks: { source: { labels: 2 }, b: { labels: 0 } } }).find((i): i is Block => i.kind === 'block' && i.type === blockType)!;
  return new Map(
    block.body
      .content({ blocks: {} })
      .filter((i): i is Attribute => i.kind === 'attribute')
      .map((a) => [a.name, a]),
  );
}
function apply(fe: FileEdits): string {
  return applyTextEdits(fe.file.text, fe.toTextEdits());
}

test('an attribute takes its lead comments and same-line comment; a double blank line it leaves is collapsed', async () => {
  const file = await parse(['source "a" "b" {', '  x = 1', '', '  # about y', '  // more about y', '  y = 2 # trailing', '', '  z = 3', '}', ''].join('\n'));
  const fe = new FileEdits(file);
  fe.remove(attrs(file).get('y')!);
  assert.equal(apply(fe), ['source "a" "b" {', '  x = 1', '', '  z = 3', '}', ''].join('\n'));
});

test('a comment separated by a blank line stays; replacing keeps the = column', async () => {
  const file = await parse(['source "a" "b" {', '  # section', '', '  iso_url      = "u" # old', '  iso_checksum = "c"', '}', ''].join('\n'));
  const fe = new FileEdits(file);
  const a = attrs(file);
  fe.replaceWithAttributes(a.get('iso_url')!, [{ name: 'iso_file', value: '"local:iso/x.iso"' }]);
  fe.remove(a.get('iso_checksum')!);
  assert.equal(apply(fe), ['source "a" "b" {', '  # section', '', '  iso_file     = "local:iso/x.iso"', '}', ''].join('\n'));
});

test('CRLF files get CRLF lines; multi-line values are removed whole', async () => {
  const file = await parse(['source "a" "b" {', '  iso_urls = [', '    "https://a/x.iso",', '  ]', '  keep = true', '}', ''].join('\r\n'));
  const fe = new FileEdits(file);
  fe.replaceWithAttributes(attrs(file).get('iso_urls')!, [
    { name: 'iso_file', value: '"local:iso/x.iso"' },
    { name: 'device', value: '"ide3"' },
  ]);
  assert.equal(apply(fe), ['source "a" "b" {', '  iso_file = "local:iso/x.iso"', '  device   = "ide3"', '  keep = true', '}', ''].join('\r\n'));
});

test('an attribute sharing its line with others is cut out alone', async () => {
  const file = await parse('b { x = 1 }\n');
  const block = file.body.content({ blocks: { b: { labels: 0 } } })[0] as Block;
  const x = block.body.content({ blocks: {} })[0] as Attribute;
  const fe = new FileEdits(file);
  fe.replaceWithAttributes(x, [{ name: 'y', value: '2' }]);
  assert.equal(apply(fe), 'b { y = 2 }\n');
});

test('JSON: a property goes with one comma, the replaced one keeps its place', async () => {
  const text = '{\n  "source": { "p": { "n": {\n    "iso_url": "u",\n    "iso_checksum": "none",\n    "node": "pve",\n    "iso_download_pve": true\n  } } }\n}\n';
  const file = await parse(text, 'json');
  const body = (file.body.content({ blocks: { source: { labels: 2 } } })[0] as Block).body;
  const a = new Map(
    body
      .content({ blocks: {} })
      .filter((i): i is Attribute => i.kind === 'attribute')
      .map((x) => [x.name, x]),
  );
  const fe = new FileEdits(file);
  fe.replaceWithAttributes(a.get('iso_url')!, [{ name: 'iso_file', value: '"local:iso/u.iso"' }]);
  fe.remove(a.get('iso_checksum')!);
  fe.remove(a.get('iso_download_pve')!);
  const out = apply(fe);
  assert.equal(out, '{\n  "source": { "p": { "n": {\n    "iso_file": "local:iso/u.iso",\n    "node": "pve"\n  } } }\n}\n');
  assert.deepEqual(JSON.parse(out).source.p.n, { iso_file: 'local:iso/u.iso', node: 'pve' });
});

test('no edits is the identity', async () => {
  const text = '# c\r\nsource "a" "b" {\r\n  x = 1\r\n}\r\n';
  const file = await parse(text);
  assert.equal(apply(new FileEdits(file)), text);
});
