// Expression semantics: templates, directives, heredocs, conditionals, for, splat, index,
// operators, unknown propagation and positioned errors.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TemplateError } from '../../src/errors.js';
import { evaluate, type EvalContext } from '../../src/hcl/evaluate.js';
import { createFunctions } from '../../src/hcl/functions.js';
import { isUnknown, UnknownValue, type Value } from '../../src/hcl/model.js';
import { parseExpression } from '../../src/hcl/parse.js';

const vars: Record<string, Value> = {
  iso_url: 'https://example.org/debian.iso',
  os: 'debian',
  urls: { debian: 'https://d/x.iso', ubuntu: 'https://u/y.iso' },
  list: ['a', 'b', 'c'],
  disks: [
    { size: '10G', pool: 'local' },
    { size: '20G', pool: 'ceph' },
  ],
  one: { name: 'solo' },
  nothing: null,
  n: 5,
  flag: true,
  empty: '',
};
const data = new UnknownValue('data sources are read by Packer at build time');

function ctx(extra: Record<string, Value> = {}): EvalContext {
  const roots: Record<string, Value> = { var: vars, local: { prefix: 'pre' }, path: { root: '.', cwd: '/work' }, data, ...extra };
  return { lookup: (r) => roots[r], functions: createFunctions({ baseDir: 'fixtures/hcl/files', cwd: process.cwd() }) };
}

async function ev(text: string, c: EvalContext = ctx()): Promise<Value> {
  return evaluate(await parseExpression(text, 'expr'), c);
}

async function evError(text: string): Promise<TemplateError> {
  try {
    await ev(text);
  } catch (err) {
    assert.ok(err instanceof TemplateError, `expected TemplateError, got ${String(err)}`);
    return err;
  }
  assert.fail(`no error for ${text}`);
}

describe('evaluate', () => {
  const table: Array<[string, Value]> = [
    // literals and templates
    ['42', 42],
    ['-1.5', -1.5],
    ['null', null],
    ['"plain"', 'plain'],
    ['"tab\\t\\"q\\" \\u00e9 $${x} %%{y}"', 'tab\t"q" é ${x} %{y}'],
    ['"${var.iso_url}"', 'https://example.org/debian.iso'],
    ['"${var.n}"', 5],
    ['"n=${var.n} flag=${var.flag}"', 'n=5 flag=true'],
    ['"${local.prefix}-${var.os}.iso"', 'pre-debian.iso'],
    ['"%{ if var.flag }yes%{ else }no%{ endif }"', 'yes'],
    ['"%{ if var.empty != "" }set%{ endif }"', ''],
    ['"[%{ for i, x in var.list }${i}${x},%{ endfor }]"', '[0a,1b,2c,]'],
    ['"a  ${~ var.os ~}  b"', 'adebianb'],
    ['<<EOT\nline ${var.n}\n  kept\nEOT\n', 'line 5\n  kept\n'],
    ['<<-EOT\n    first\n      indented ${var.os}\n\n    last\n    EOT\n', 'first\n  indented debian\n\nlast\n'],
    // collections, index, attribute, splat
    ['[1, "a", true]', [1, 'a', true]],
    ['{ a = 1, "b c" = 2, (var.os) = 3 }', { a: 1, 'b c': 2, debian: 3 }],
    ['var.urls[var.os]', 'https://d/x.iso'],
    ['var.urls["ubuntu"]', 'https://u/y.iso'],
    ['var.list[1]', 'b'],
    ['var.list["2"]', 'c'],
    ['var.list.0', 'a'],
    ['var.disks[*].size', ['10G', '20G']],
    ['var.disks.*.pool', ['local', 'ceph']],
    ['var.one[*].name', ['solo']],
    ['var.nothing[*]', []],
    ['var.disks[1].pool', 'ceph'],
    // operators
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['"5" + 1', 6],
    ['7 % 3', 1],
    ['10 / 4', 2.5],
    ['var.n >= 5 && var.n < 6', true],
    ['1 == "1"', false],
    ['[1, "a"] == [1, "a"]', true],
    ['{a = 1} != {a = 2}', true],
    ['!var.flag || "true"', true],
    ['-var.n', -5],
    // conditionals
    ['var.n > 2 ? "big" : "small"', 'big'],
    ['var.flag ? 1 : ""', '1'],
    ['var.empty == "" ? null : var.empty', null],
    ['true ? "ok" : var.does_not_exist', 'ok'],
    ['false ? var.does_not_exist : "ok"', 'ok'],
    // for expressions
    ['[for x in var.list : upper(x)]', ['A', 'B', 'C']],
    ['[for i, x in var.list : "${i}:${x}" if x != "b"]', ['0:a', '2:c']],
    ['{ for k, v in var.urls : k => basename(v) }', { debian: 'x.iso', ubuntu: 'y.iso' }],
    ['{ for d in var.disks : d.pool => d.size... }', { ceph: ['20G'], local: ['10G'] }],
    ['{ for x in ["a", "b", "a"] : x => x... }', { a: ['a', 'a'], b: ['b'] }],
    ['[for k, v in { b = 2, a = 1 } : k]', ['a', 'b']],
    // functions and special forms
    ['try(var.urls["arch"], "none")', 'none'],
    ['can(var.urls["arch"])', false],
    ['can(var.urls["debian"])', true],
    ['convert("5", number)', 5],
    ['convert([1, 2], list(string))', ['1', '2']],
    ['concat([var.list, ["d"]]...)', ['a', 'b', 'c', 'd']],
    ['max([3, 9, 2]...)', 9],
    ['path.root', '.'],
  ];
  for (const [text, want] of table) {
    it(text.replace(/\n/g, '\\n'), async () => assert.deepEqual(await ev(text), want));
  }
});

describe('unknown values', () => {
  it('comes from build-time functions with their reason and place', async () => {
    const v = await ev('vault("secret/data/pve", "token")');
    assert.ok(isUnknown(v));
    assert.match(v.reason, /^vault\(\) .*-var/);
    assert.deepEqual([v.range?.start.line, v.range?.start.column], [1, 1]);
  });
  it('propagates through templates, functions, operators and access, keeping the first reason', async () => {
    for (const text of [
      '"${vault("a", "b")}/x"',
      'upper(vault("a", "b"))',
      'vault("a", "b") == "x"',
      'vault("a", "b")[0]',
      'vault("a", "b").x',
      '[for x in vault("a", "b") : x]',
      'vault("a", "b") ? 1 : 2',
      '"${vault("a", "b")}-${timestamp()}"',
      'format("%s", vault("a", "b"))',
    ]) {
      const v = await ev(text);
      assert.ok(isUnknown(v), text);
      assert.match((v as UnknownValue).reason, /^vault\(\)/, text);
    }
  });
  it('stays inside collections without hiding known parts', async () => {
    const t = (await ev('[vault("a", "b"), "x"]')) as Value[];
    assert.ok(isUnknown(t[0]));
    assert.equal(t[1], 'x');
    assert.equal(await ev('length([timestamp(), 1])'), 2);
    assert.equal(await ev('merge({ a = 1 }, { b = vault("x", "y") }).a'), 1);
    assert.equal(await ev('lookup({ a = "k", b = timestamp() }, "a")'), 'k');
  });
  it('is decided by && and || when the other side decides', async () => {
    assert.equal(await ev('false && vault("a", "b")'), false);
    assert.equal(await ev('true || vault("a", "b")'), true);
    assert.ok(isUnknown(await ev('true && vault("a", "b")')));
  });
  it('comes from unknown roots (data sources) and unknown functions', async () => {
    const d = await ev('data.amazon-ami.x.id');
    assert.ok(isUnknown(d));
    assert.match((d as UnknownValue).reason, /data sources/);
    const f = await ev('some_future_function(1)');
    assert.ok(isUnknown(f));
    assert.match((f as UnknownValue).reason, /some_future_function\(\)/);
  });
  it('makes try() and can() undecided', async () => {
    assert.ok(isUnknown(await ev('try(vault("a", "b"), "x")')));
    assert.ok(isUnknown(await ev('can(vault("a", "b"))')));
  });
});

describe('evaluation errors', () => {
  const cases: Array<[string, RegExp, number]> = [
    ['var.missing', /there is no variable named "missing"/, 1],
    ['local.nope', /there is no local value named "nope"/, 1],
    ['nope.x', /unknown name "nope"/, 1],
    ['"x-${var.urls["arch"]}"', /the map has no element "arch"/, 6],
    ['var.list[5]', /index 5 is out of range for a list of 3 elements/, 1],
    ['var.list[1.5]', /not a whole number/, 10],
    ['var.list.name', /cannot read attribute "name" of a list/, 1],
    ['var.nothing.x', /null value/, 1],
    ['"a${var.nothing}"', /null/, 5],
    ['"a${var.list}"', /a list cannot be part of a string/, 5],
    ['"abc" + 1', /not a number/, 1],
    ['var.flag ? 1 : 2 + "x"', /./, 16],
    ['var.nothing ? 1 : 2', /condition is null/, 1],
    ['{ for x in ["a", "a"] : x => 1 }', /two elements produce the key "a"/, 25],
    ['1 / 0', /division by zero/, 1],
    ['element([], 0)', /element\(\): cannot use element\(\) on an empty list/, 1],
    ['upper()', /upper\(\) takes 1 argument, got 0/, 1],
    ['try(var.a, var.b)', /no expression given to try\(\) succeeded/, 1],
  ];
  for (const [text, re, col] of cases) {
    it(text, async () => {
      if (text === 'var.flag ? 1 : 2 + "x"') {
        // The branch not taken is not evaluated, so this one is fine.
        assert.equal(await ev(text), 1);
        return;
      }
      const err = await evError(text);
      assert.match(err.message, re);
      assert.equal(err.range?.file, 'expr');
      assert.equal(err.range?.start.column, col, err.describe());
      assert.equal(err.exitCode, 2);
    });
  }
  it('quotes the failing sub-expression in the message', async () => {
    const err = await evError('"${var.os}-${var.urls["arch"]}"');
    assert.match(err.message, /\(in `var\.urls\["arch"\]`\)/);
  });
});

describe('for-scoped names', () => {
  it('does not leak iterator names', async () => {
    await assert.rejects(ev('[[for x in [1] : x], x]'), /unknown name "x"/);
  });
  it('lets callers provide iterator roots such as each', async () => {
    assert.equal(await ev('each.value.url', ctx({ each: { key: 'd', value: { url: 'u' } } })), 'u');
  });
});
