// Parsing: every real template in the corpus, readable syntax errors, lossless ranges, HCL's JSON
// syntax (schema-driven blocks, labels, arrays, "//" comments, duplicate keys) and traversals.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { HclSyntaxError, TemplateError } from '../../src/errors.js';
import { evaluate } from '../../src/hcl/evaluate.js';
import type { Attribute, Block, Body, BodyItem, SourceFile } from '../../src/hcl/model.js';
import { MAX_CST_DEPTH, MAX_PARSE_LENGTH } from '../../src/hcl/cst.js';
import { MAX_JSON_NESTING, parseExpression, parseFile } from '../../src/hcl/parse.js';
import { decodeUtf8 } from '../../src/hcl/utf8.js';
import { CORPUS, sharedSkip } from '../support/shared.js';

function manifest(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1)) {
    const [repo, , path, , tags] = line.split('\t');
    if (!repo || !path) continue;
    out.set(`${repo.replace('/', '__')}/${path}`, (tags ?? '').split(','));
  }
  return out;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const noEval = { lookup: () => undefined, functions: {} };

async function parseText(text: string, name = 'test.pkr.hcl'): Promise<SourceFile> {
  return parseFile({ path: `/abs/${name}`, displayPath: name, text });
}

async function syntaxError(text: string, name = 'test.pkr.hcl'): Promise<HclSyntaxError> {
  try {
    await parseText(text, name);
  } catch (err) {
    assert.ok(err instanceof HclSyntaxError, `expected HclSyntaxError, got ${String(err)}`);
    return err;
  }
  assert.fail(`no syntax error for ${JSON.stringify(text)}`);
}

function allItems(body: Body, out: BodyItem[] = []): BodyItem[] {
  for (const item of body.content()) {
    out.push(item);
    if (item.kind === 'block') allItems(item.body, out);
  }
  return out;
}

describe('the corpus', { skip: sharedSkip() }, () => {
  const tags = manifest();
  const files = walk(CORPUS)
    .filter((f) => /\.(hcl|json|hcl\.example)$/.test(f))
    .map((f) => ({ path: f, rel: relative(CORPUS, f), tags: tags.get(relative(CORPUS, f)) ?? [] }))
    // Git symlinks checked out as placeholder files hold only the target path; they are not HCL.
    .filter((f) => !f.tags.includes('symlink'));
  const invalid = files.filter((f) => f.tags.includes('invalid_syntax'));

  it('has the files this test expects', () => {
    assert.ok(files.length > 150, `${files.length} files`);
    assert.equal(invalid.length, 7);
  });

  it('parses every valid file, losslessly', async () => {
    for (const f of files.filter((x) => !x.tags.includes('invalid_syntax'))) {
      const text = readFileSync(f.path, 'utf8');
      const file = await parseFile({ path: f.path, displayPath: f.rel, text, syntax: f.path.endsWith('.json') ? 'json' : 'hcl' });
      assert.equal(file.text, text);
      for (const item of allItems(file.body)) {
        const slice = text.slice(item.range.start.offset, item.range.end.offset);
        if (item.kind === 'attribute') {
          assert.equal(item.expr.text, text.slice(item.expr.range.start.offset, item.expr.range.end.offset), f.rel);
          if (file.syntax === 'hcl') assert.ok(slice.startsWith(item.name) && slice.endsWith(item.expr.text), `${f.rel}: ${item.name}`);
        } else if (file.syntax === 'hcl') {
          assert.ok(slice.startsWith(item.type) && slice.endsWith('}'), `${f.rel}: ${item.type}`);
          assert.equal(text[item.body.range.start.offset - 1], '{');
          assert.equal(text[item.body.range.end.offset], '}');
        }
        const lines = text.slice(0, item.range.start.offset).split('\n');
        assert.equal(item.range.start.line, lines.length);
        assert.equal(item.range.start.column, (lines[lines.length - 1] as string).length + 1);
      }
    }
  });

  it('rejects every invalid_syntax file with a HclSyntaxError at a real place', async () => {
    const expected: Record<string, [number, number, RegExp]> = {
      'yulyangi__proxmox-packer-templates/ubuntu-24.04/variables.pkrvars.hcl': [4, 21, /expected a value after '=' but found '<'/],
      'marcinbojko__proxmox-kvm-packer/proxmox/proxmox_rhel_blank.pkr.hcl': [172, 16, /unterminated string/],
    };
    for (const f of invalid) {
      const text = readFileSync(f.path, 'utf8');
      const err = await syntaxError(text, f.rel);
      assert.ok(err.range, f.rel);
      assert.equal(err.range.file, f.rel);
      assert.ok(err.range.start.line >= 1 && err.range.start.line <= text.split('\n').length, f.rel);
      assert.equal(err.exitCode, 2);
      const want = expected[f.rel] ?? (f.rel.startsWith('ChristianLempa') ? [65, 29, /interpolation is only allowed inside a quoted string/] : undefined);
      assert.ok(want, `no expectation for ${f.rel}`);
      assert.deepEqual([err.range.start.line, err.range.start.column], [want[0], want[1]], f.rel);
      assert.match(err.message, want[2]);
      assert.match(err.describe(), new RegExp(`^${f.rel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${want[0]}:${want[1]}: `));
    }
  });
});

describe('syntax errors', () => {
  const cases: Array<[string, string, number, number, RegExp]> = [
    ['unterminated string', 'a = "abc\nb = 2\n', 1, 5, /unterminated string/],
    ['missing block brace', 'source "a" "b" {\n  a = 1\n', 3, 1, /missing closing brace for block source "a" "b" opened at line 1/],
    ['missing list bracket', 'a = [1, 2\nb = 3\n', 2, 1, /missing '\]'/],
    ['two arguments on a line', 'a = 1 b = 2\n', 1, 7, /missing line break after the argument "a"/],
    ['value on the next line', 'a =\n  1\n', 2, 3, /must start on the same line/],
    ['operator continues on the next line', 'a = var.x ?\n  1 : 2\n', 2, 3, /unexpected line break before '1'/],
    ['brace on the same line as an argument', 'x {\n  a = 1 }\n', 2, 9, /missing line break after the argument "a"/],
    ['single-line block with two arguments', 'x { a = 1, b = 2 }\n', 1, 10, /unexpected ','/],
    ['nested block in a single-line block', 'x { y {} }\n', 1, 5, /single-line block cannot contain another block/],
    ['hex number', 'a = 0x10\n', 1, 5, /hexadecimal/],
    ['empty interpolation', 'a = "x${}"\n', 1, 7, /empty interpolation/],
    ['bare object file', '{ "a": 1 }\n', 1, 1, /bare object/],
    ['extra closing brace', 'a = 1\n}\n', 2, 1, /unexpected '}'/],
    ['duplicate argument', 'x {\n  a = 1\n  a = 2\n}\n', 3, 3, /argument "a" is set twice \(first at line 2\)/],
    ['object elements without separator', 'a = { x = 1 y = 2 }\n', 1, 13, /missing comma or line break between object elements/],
    ['unterminated heredoc', 'a = <<EOT\nfoo\n', 1, 5, /unterminated heredoc/],
    ['interpolation outside a string', 'a = ${var.x}\n', 1, 5, /interpolation is only allowed inside a quoted string/],
  ];
  for (const [name, text, line, col, re] of cases) {
    it(name, async () => {
      const err = await syntaxError(text);
      assert.match(err.message, re);
      assert.deepEqual([err.range?.start.line, err.range?.start.column], [line, col], err.describe());
      assert.ok(err.hint, 'a syntax error says what to do');
    });
  }

  it('accepts what HCL accepts', async () => {
    await parseText(
      [
        'x {}',
        'y "a" b { c = 1 }',
        'z {',
        '  a = (var.x ?',
        '    1 : 2)',
        '  l = [',
        '    1,',
        '    2,',
        '  ]',
        '  o = {',
        '    k = 1',
        '    j = 2, m = 3',
        '  }',
        '  f = foo(',
        '    1,',
        '  )',
        '  h = <<-EOT',
        '    text ${a}',
        '    EOT',
        '  c = 1 /* inline */ + 2 # end',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('reports JSON syntax errors with their place', async () => {
    const err = await syntaxError('{\n  "a": 1,\n}\n', 'x.pkr.json');
    assert.deepEqual([err.range?.start.line, err.range?.start.column], [3, 1]);
    const err2 = await syntaxError('[1]', 'x.pkr.json');
    assert.match(err2.message, /must be an object/);
    // A block written as a string is reported when the body is read with a schema.
    const file = await parseText('{"source": {"proxmox-iso": "x"}}', 'x.pkr.json');
    assert.throws(() => file.body.content(), (err: unknown) => err instanceof HclSyntaxError && /labels of block "source"/.test(err.message) && err.range?.start.column === 28);
    // A var file whose keys look like block types is fine read as attributes.
    const vars = await parseText('{"build": "x", "source": 1}', 'x.pkrvars.json');
    assert.deepEqual(vars.body.content({ blocks: {} }).map((i) => i.kind), ['attribute', 'attribute']);
  });
});

describe('limits and encodings', () => {
  it('nesting just within the limit parses; beyond it, a located error instead of a stack overflow', async () => {
    const objects = (n: number) => `locals {\n  x = ${'{ a = '.repeat(n)}1${' }'.repeat(n)}\n}\n`;
    const blocks = (n: number) => `${'a {\n'.repeat(n)}${'}\n'.repeat(n)}`;
    await parseText(objects(200));
    await parseText(blocks(450));
    for (const text of [objects(5000), blocks(5000), `a = ${'('.repeat(5000)}1${')'.repeat(5000)}\n`]) {
      await assert.rejects(parseText(text), (e: unknown) => {
        assert.ok(e instanceof TemplateError && e.code === 'E_TOO_DEEP' && e.exitCode === 2, String(e));
        assert.ok(e.range && e.range.file === 'test.pkr.hcl' && e.range.start.offset > 0, e.describe());
        assert.match(e.describe(), new RegExp(`nest deeper than hclx reads \\(${MAX_CST_DEPTH} levels`));
        return true;
      });
    }
    await assert.rejects(parseExpression(`${'['.repeat(5000)}1${']'.repeat(5000)}`, '-var x'), (e: unknown) => e instanceof TemplateError && e.code === 'E_TOO_DEEP' && e.range?.file === '-var x');
  });

  it('JSON nesting has its own limit, checked before the JSON reader', async () => {
    await parseText(`{"locals": {"x": ${'['.repeat(MAX_JSON_NESTING - 2)}1${']'.repeat(MAX_JSON_NESTING - 2)}}}`, 'x.pkr.json');
    await assert.rejects(parseText(`{"locals": {"x": ${'['.repeat(5000)}"]]]"${']'.repeat(5000)}}}`, 'x.pkr.json'), (e: unknown) => {
      assert.ok(e instanceof TemplateError && e.code === 'E_TOO_DEEP', String(e));
      assert.deepEqual([e.range?.start.line, e.range?.start.column], [1, 17 + MAX_JSON_NESTING - 1]);
      return true;
    });
  });

  it('refuses text too large for the parser before the parser sees it', async () => {
    const big = `x = "${'a'.repeat(MAX_PARSE_LENGTH)}"\n`;
    await assert.rejects(parseText(big), (e: unknown) => e instanceof TemplateError && e.code === 'E_TOO_LARGE' && /^test\.pkr\.hcl:1:1: 8\.0 MiB of HCL here: more than the 8 MiB hclx parses/.test(e.describe()));
    await assert.rejects(parseText(`{"x": "${'a'.repeat(MAX_PARSE_LENGTH)}"}`, 'x.pkr.json'), (e: unknown) => e instanceof TemplateError && e.code === 'E_TOO_LARGE');
  });

  it('refuses bytes that are not UTF-8 outside comments, as HCL does, and shows them as \\xNN', async () => {
    const parse = (bytes: Buffer, name = 'test.pkr.hcl') => {
      const { text, invalid } = decodeUtf8(bytes);
      return parseFile({ path: `/abs/${name}`, displayPath: name, text, invalidUtf8: invalid });
    };
    const bad = (before: string, after: string, ...b: number[]) => Buffer.concat([Buffer.from(before), Buffer.from(b), Buffer.from(after)]);
    await assert.rejects(parse(bad('x = "caf', '"\n', 0xe9)), (e: unknown) => {
      assert.ok(e instanceof HclSyntaxError, String(e));
      assert.equal(e.describe(), 'test.pkr.hcl:1:9: invalid character encoding: the byte \\xe9 here is not UTF-8. All template files must be UTF-8 encoded (Packer refuses this file too); save it as UTF-8 in your editor.');
      return true;
    });
    await assert.rejects(parse(bad('x = 1\ny = ', '\n', 0xf0, 0x9f)), (e: unknown) => e instanceof HclSyntaxError && /^test\.pkr\.hcl:2:5: .*the bytes \\xf0\\x9f here are not UTF-8/.test(e.describe()));
    // In comments HCL takes any bytes; JSON syntax reads them as U+FFFD (as Packer does).
    await parse(bad('# caf', '\n/* \xff */ x = 1 // ok\n', 0xe9));
    await parse(bad('{"x": "caf', '"}', 0xe9), 'x.pkr.json');
  });

  it('names characters nobody can see instead of quoting them', async () => {
    assert.match((await syntaxError('a = 1 \u0001\n')).message, /^unexpected \\x01 \(a control character\)/);
    assert.match((await syntaxError('a\u00a0= 1\n')).message, /^unexpected U\+00A0 \(a no-break space\)/);
    assert.match((await syntaxError('a = 1 \u007f\n')).message, /^unexpected \\x7f \(a control character\)/);
  });
});

describe('native files', () => {
  it('keeps CRLF, reports positions and the dominant line ending', async () => {
    const text = 'a = 1\r\nb "x" {\r\n  c = "é😀${var.y}"\r\n}\r\n';
    const file = await parseText(text);
    assert.equal(file.eol, '\r\n');
    const [a, b] = file.body.content() as [Attribute, Block];
    assert.equal(a.range.start.line, 1);
    assert.equal(b.labels[0], 'x');
    const c = b.body.content()[0] as Attribute;
    assert.deepEqual([c.range.start.line, c.range.start.column], [3, 3]);
    assert.equal(c.expr.text, '"é😀${var.y}"');
    assert.equal(text.slice(c.range.end.offset, c.range.end.offset + 2), '\r\n');
    assert.deepEqual(c.expr.traversals(), [['var', 'y']]);
  });

  it('tolerates a BOM and keeps it in the text', async () => {
    const file = await parseText('\uFEFFa = 1\n');
    assert.equal(file.text.charCodeAt(0), 0xfeff);
    assert.equal((file.body.content()[0] as Attribute).name, 'a');
  });

  it('gives items in source order with parent links', async () => {
    const file = await parseText('p "a" {}\nx = 1\np "b" {\n  q = 2\n}\n');
    const items = file.body.content();
    assert.deepEqual(items.map((i) => (i.kind === 'block' ? `${i.type}.${i.labels.join('.')}` : i.name)), ['p.a', 'x', 'p.b']);
    for (const i of items) assert.equal(i.parent, file.body);
    const q = (items[2] as Block).body.content()[0] as Attribute;
    assert.equal(q.parent, (items[2] as Block).body);
  });

  it('decodes label escapes', async () => {
    const file = await parseText('b "a\\"b\\u00e9" {}\n');
    assert.deepEqual((file.body.content()[0] as Block).labels, ['a"bé']);
  });
});

describe('JSON syntax', () => {
  const text = `{
  "//": "a comment",
  "variable": {
    "iso_url": { "type": "string", "default": "https://x/\${literal}.iso" }
  },
  "locals": { "a": "\${var.iso_url}", "n": 3, "t": "x-\${upper(\\"y\\")}" },
  "source": {
    "proxmox-iso": {
      "one": { "node": "pve", "boot_iso": { "iso_url": "\${var.iso_url}" } },
      "two": { "node": "pve" }
    }
  },
  "build": {
    "sources": ["source.proxmox-iso.one"],
    "provisioner": [
      { "shell": { "inline": ["a"] } },
      { "file": { "source": "x" } },
      { "shell": { "inline": ["b"] } }
    ]
  },
  "locals": { "b": true }
}
`;
  it('reads blocks by schema, one object level per label, arrays in order, duplicates kept', async () => {
    const file = await parseText(text, 'x.pkr.json');
    assert.equal(file.syntax, 'json');
    const items = file.body.content();
    assert.deepEqual(
      items.map((i) => (i.kind === 'block' ? [i.type, ...i.labels].join('.') : `=${i.name}`)),
      ['variable.iso_url', 'locals', 'source.proxmox-iso.one', 'source.proxmox-iso.two', 'build', 'locals'],
    );
    const build = items[4] as Block;
    const provs = build.body.content().filter((i): i is Block => i.kind === 'block');
    assert.deepEqual(provs.map((p) => p.labels[0]), ['shell', 'file', 'shell']);
    const one = items[2] as Block;
    const boot = one.body.content().find((i) => i.kind === 'block') as Block;
    assert.equal(boot.type, 'boot_iso');
    assert.equal(text.slice(one.labelRanges[1]?.start.offset, one.labelRanges[1]?.end.offset), '"one"');
    // Without the block in the schema, the same property is an attribute.
    const asAttr = one.body.content({ blocks: {} }).find((i) => i.kind === 'attribute' && i.name === 'boot_iso');
    assert.ok(asAttr);
  });

  it('evaluates strings as templates, except variable defaults', async () => {
    const file = await parseText(text, 'x.pkr.json');
    const [variable, locals] = file.body.content() as [Block, Block];
    const def = variable.body.content().find((i) => i.kind === 'attribute' && i.name === 'default') as Attribute;
    assert.equal(evaluate(def.expr, noEval), 'https://x/${literal}.iso');
    const vars = { iso_url: 'U' };
    const ctx = { lookup: (r: string) => (r === 'var' ? vars : undefined), functions: { upper: (a: unknown[]) => String(a[0]).toUpperCase() } };
    const [a, n, t] = locals.body.content() as Attribute[];
    assert.equal(evaluate((a as Attribute).expr, ctx as never), 'U');
    assert.equal(evaluate((n as Attribute).expr, ctx as never), 3);
    assert.equal(evaluate((t as Attribute).expr, ctx as never), 'x-Y');
    assert.deepEqual((a as Attribute).expr.traversals(), [['var', 'iso_url']]);
  });

  it('reports template errors inside JSON strings at their place in the file', async () => {
    const file = await parseText('{\n  "locals": { "a": "x-${var.y" }\n}\n', 'x.pkr.json');
    const a = (file.body.content()[0] as Block).body.content()[0] as Attribute;
    assert.throws(
      () => evaluate(a.expr, noEval),
      (err: unknown) => err instanceof HclSyntaxError && err.range?.start.line === 2,
    );
  });
});

describe('parseExpression', () => {
  it('parses a standalone expression, newlines allowed', async () => {
    const e = await parseExpression('[\n  "a",\n  var.b\n]', '-var ids');
    assert.deepEqual(e.traversals(), [['var', 'b']]);
    assert.deepEqual(evaluate(e, { lookup: (r) => (r === 'var' ? { b: 'B' } : undefined), functions: {} }), ['a', 'B']);
    assert.equal(e.range.file, '-var ids');
  });

  it('rejects trailing garbage and empty input', async () => {
    await assert.rejects(parseExpression('1\nb = 2', 'x'), /after the expression/);
    await assert.rejects(parseExpression('  ', 'x'), HclSyntaxError);
    await assert.rejects(parseExpression('["a", ', 'x'), HclSyntaxError);
  });

  it('lists traversals without for-bound names', async () => {
    const e = await parseExpression('[for k, v in var.m : "${k}-${v.x}-${local.y}-${each.value}" if v != path.root]', 'x');
    assert.deepEqual(e.traversals(), [['var', 'm'], ['local', 'y'], ['each', 'value'], ['path', 'root']]);
    const idx = await parseExpression('var.urls[var.os]["x"]', 'x');
    assert.deepEqual(idx.traversals(), [['var', 'urls'], ['var', 'os']]);
  });

  it('names the place of an evaluation error', async () => {
    const e = await parseExpression('"a-${var.missing}"', 'cli');
    assert.throws(
      () => evaluate(e, { lookup: (r) => (r === 'var' ? {} : undefined), functions: {} }),
      (err: unknown) =>
        err instanceof TemplateError && /there is no variable named "missing"/.test(err.message) && err.range?.start.column === 6 && /var\.missing/.test(err.message),
    );
  });
});
