// Packer's function library: results of the pure functions, file functions relative to
// path.root, env() only when allowed, and build-time functions that stay unknown.

import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { TemplateError } from '../../src/errors.js';
import { evaluate } from '../../src/hcl/evaluate.js';
import { createFunctions, type FunctionOptions } from '../../src/hcl/functions.js';
import { isUnknown, type Value } from '../../src/hcl/model.js';
import { parseExpression } from '../../src/hcl/parse.js';

const BASE = 'fixtures/hcl/files';

async function call(text: string, options: Partial<FunctionOptions> = {}): Promise<Value> {
  const functions = createFunctions({ baseDir: BASE, cwd: '/work/cwd', env: { HOME: '/home/me', ISO_DIR: '/isos' }, ...options });
  const vars = { os: 'ubuntu', m: { a: 'x', b: 'y' } };
  return evaluate(await parseExpression(text, 'expr'), { lookup: (r) => (r === 'var' ? vars : undefined), functions });
}

describe('functions', () => {
  const table: Array<[string, Value]> = [
    // format verbs
    ['format("%s-%d", "a", 3)', 'a-3'],
    ['format("%5.1f|%-5s|%03d|%x|%X|%o|%b", 3.14159, "ab", 7, 255, 255, 8, 5)', '  3.1|ab   |007|ff|FF|10|101'],
    ['format("%t %v %v %q %%", true, [1, "a"], 1.5, "x\\"y")', 'true [1,"a"] 1.5 "x\\"y" %'],
    ['format("%[2]s %[1]s", "world", "hello")', 'hello world'],
    ['format("%.3s|%+d|%e", "abcdef", 5, 1500000)', 'abc|+5|1.500000e+06'],
    ['format("%#v", { a = "b" })', '{"a":"b"}'],
    ['formatlist("%s=%s", ["a", "b"], "v")', ['a=v', 'b=v']],
    ['formatlist("%s:%d", ["a", "b"], [1, 2])', ['a:1', 'b:2']],
    // lookup and maps
    ['lookup(var.m, "a")', 'x'],
    ['lookup(var.m, "zz", "dflt")', 'dflt'],
    ['keys({ b = 1, a = 2 })', ['a', 'b']],
    ['values({ b = 1, a = 2 })', [2, 1]],
    ['merge({ a = 1, b = 2 }, null, { b = 3 })', { a: 1, b: 3 }],
    ['zipmap(["a", "b"], [1, 2])', { a: 1, b: 2 }],
    // files, relative to path.root
    ['yamldecode(file("isos.yaml"))[var.os].download_pve', true],
    ['yamldecode(file("isos.yaml")).debian.checksum', 'file:https://cdimage.debian.org/debian-cd/current/amd64/iso-cd/SHA256SUMS'],
    ['file("notes.txt")', 'line one\nline two\n'],
    ['chomp(file("notes.txt"))', 'line one\nline two'],
    ['fileexists("notes.txt")', true],
    ['fileexists("missing.txt")', false],
    [
      'templatefile("templates/user-data.pkrtpl.hcl", { hostname = "h1", users = ["ann", "bob"], packages = ["curl"] })',
      // `~}` strips all whitespace after the directive, indentation included (as HCL does).
      '#cloud-config\nhostname: h1\nusers:\n- name: ann\n- name: bob\npackages: ["curl"]\n',
    ],
    // regular expressions (Go RE2 syntax)
    ['regex_replace("debian-12.5.0-amd64.iso", "([0-9]+)\\\\.([0-9]+)", "$2.$1")', 'debian-5.12.0-amd64.iso'],
    ['replace("a.b.c", ".", "-")', 'a-b-c'],
    ['replace("v1.2.3", "/v(\\\\d+)\\\\.(\\\\d+)/", "${2}-$1")', '2-1.3'],
    ['regex("[0-9]+", "abc123def")', '123'],
    ['regex("(\\\\d+)-(\\\\d+)", "10-20")', ['10', '20']],
    ['regex("(?P<major>\\\\d+)\\\\.(?P<minor>\\\\d+)", "v24.04")', { major: '24', minor: '04' }],
    ['regexall("[a-z]", "a1b2")', ['a', 'b']],
    ['regex("(?i)ISO$", "x.iso")', 'iso'],
    // strings
    ['basename("/isos/debian.iso")', 'debian.iso'],
    ['basename("a/b/")', 'b'],
    ['dirname("/isos/debian.iso")', '/isos'],
    ['dirname("a/b/")', 'a/b'],
    ['dirname("file")', '.'],
    ['trimspace("  x \\n")', 'x'],
    ['trim("?!hello?!", "!?")', 'hello'],
    ['trimprefix("local:iso/x.iso", "local:")', 'iso/x.iso'],
    ['trimsuffix("x.iso", ".iso")', 'x'],
    ['title("hello proxmox world")', 'Hello Proxmox World'],
    ['lower("ABC")', 'abc'],
    ['upper("abc")', 'ABC'],
    ['substr("hello world", -5, -1)', 'world'],
    ['substr("hello", 1, 3)', 'ell'],
    ['strrev("abc")', 'cba'],
    ['length("é😀")', 2],
    ['split(",", "a,b,,c")', ['a', 'b', '', 'c']],
    ['join("/", ["local:iso", "x.iso"])', 'local:iso/x.iso'],
    ['join(",", [1, 2], ["c"])', '1,2,c'],
    ['indent(2, "a\\nb")', 'a\n  b'],
    ['startswith("https://x", "https://")', true],
    ['endswith("x.iso", ".iso")', true],
    ['strcontains("abc", "b")', true],
    ['urlencode("a b&c=d/é")', 'a+b%26c%3Dd%2F%C3%A9'],
    // encoding and hashes
    ['jsonencode({ b = "<&>", a = [1, 2.5, null, true] })', '{"a":[1,2.5,null,true],"b":"\\u003c\\u0026\\u003e"}'],
    ['jsondecode("{\\"a\\": [1, \\"x\\"]}")', { a: [1, 'x'] }],
    ['yamldecode("a: 1\\nb: [x, y]\\nc: null\\n")', { a: 1, b: ['x', 'y'], c: null }],
    ['base64encode("hello")', 'aGVsbG8='],
    ['base64decode("aGVsbG8=")', 'hello'],
    ['md5("hello")', '5d41402abc4b2a76b9719d911017c592'],
    ['sha1("hello")', 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d'],
    ['sha256("hello")', '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'],
    ['substr(sha512("hello"), 0, 16)', '9b71d224bd62f378'],
    // collections
    ['coalesce("", null, "x", "y")', 'x'],
    ['coalesce(1, "a")', '1'],
    ['coalescelist([], ["a"])', ['a']],
    ['compact(["a", "", null, "b"])', ['a', 'b']],
    ['concat(["a"], ["b", "c"])', ['a', 'b', 'c']],
    ['contains(["a", "b"], "b")', true],
    ['distinct(["a", "b", "a"])', ['a', 'b']],
    ['element(["a", "b"], 3)', 'b'],
    ['flatten([["a"], [["b"]], "c"])', ['a', 'b', 'c']],
    ['index(["a", "b"], "b")', 1],
    ['range(1, 10, 3)', [1, 4, 7]],
    ['range(3)', [0, 1, 2]],
    ['reverse([1, 2])', [2, 1]],
    ['slice(["a", "b", "c"], 1, 3)', ['b', 'c']],
    ['sort(["b", "a", "c"])', ['a', 'b', 'c']],
    ['chunklist(["a", "b", "c"], 2)', [['a', 'b'], ['c']]],
    ['setunion(["b", "a"], ["c", "a"])', ['a', 'b', 'c']],
    ['setintersection(["a", "b"], ["b", "c"])', ['b']],
    ['alltrue([true, "true"])', true],
    ['anytrue([false, false])', false],
    ['length({ a = 1 })', 1],
    ['sum([1, 2, 3.5])', 6.5],
    ['max(1, 9, 3)', 9],
    ['min(4, 2)', 2],
    ['abs(-3)', 3],
    ['ceil(1.2)', 2],
    ['floor(1.8)', 1],
    ['parseint("ff", 16)', 255],
    ['parseint("-101", 2)', -5],
    // type conversion
    ['tostring(5)', '5'],
    ['tostring(null)', null],
    ['tonumber("2.5")', 2.5],
    ['tobool("true")', true],
    ['toset(["b", "a", "b"])', ['a', 'b']],
    ['tolist(["a"])', ['a']],
    ['tomap({ a = 1 })', { a: 1 }],
    // paths
    ['pathexpand("~/isos")', '/home/me/isos'],
    ['abspath("x/../y.iso")', '/work/cwd/y.iso'],
  ];
  for (const [text, want] of table) {
    it(text, async () => assert.deepEqual(await call(text), want));
  }
});

describe('function errors', () => {
  const cases: Array<[string, RegExp]> = [
    ['format("%s %s", "a")', /not enough arguments/],
    ['format("%s", "a", "b")', /too many arguments/],
    ['format("%d", 1.5)', /whole number/],
    ['lookup(var.m, "zz")', /no element "zz" and no default/],
    ['file("missing.txt")', /no file exists at "missing.txt".*path\.root/],
    ['regex("[0-9]+", "abc")', /does not match/],
    ['index(["a"], "z")', /not in the list/],
    ['jsondecode("{")', /not valid JSON/],
    ['tonumber("abc")', /not a number/],
    ['templatefile("templates/user-data.pkrtpl.hcl", { hostname = "h" })', /unknown name "users"/],
  ];
  for (const [text, re] of cases) {
    it(text, async () => {
      await assert.rejects(call(text), (err: unknown) => err instanceof TemplateError && re.test(err.message) && err.range !== undefined);
    });
  }
});

describe('env()', () => {
  it('is only available where Packer allows it (variable defaults)', async () => {
    assert.equal(await call('env("ISO_DIR")', { allowEnv: true }), '/isos');
    assert.equal(await call('env("NOT_SET")', { allowEnv: true }), '');
    const v = await call('env("ISO_DIR")');
    assert.ok(isUnknown(v));
    assert.match(v.reason, /only be used in a variable default/);
  });
});

describe('build-time functions', () => {
  for (const name of ['vault("p", "k")', 'consul_key("k")', 'aws_secretsmanager("n", "k")', 'aws_secretsmanager_raw("n")', 'timestamp()', 'legacy_isotime()', 'legacy_strftime("%Y")', 'uuidv4()', 'uuidv5("dns", "x")', 'bcrypt("p")', 'rsadecrypt("a", "b")']) {
    it(`${name} is unknown, never called`, async () => {
      const v = await call(name);
      assert.ok(isUnknown(v));
      assert.match(v.reason, new RegExp(`^${name.split('(')[0]}\\(\\)`));
    });
  }
});

describe('file functions resolve against path.root', () => {
  it('uses baseDir, not the working directory', async () => {
    const abs = resolve(BASE);
    assert.equal(await call('file("notes.txt")', { baseDir: abs }), 'line one\nline two\n');
    await assert.rejects(call('file("notes.txt")', { baseDir: '/' }), /no file exists/);
  });
});
