// Type constraints and cty conversions.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HclSyntaxError, TemplateError, type SourceRange } from '../../src/errors.js';
import { isUnknown, UnknownValue, type Attribute, type Block, type TypeConstraint, type Value } from '../../src/hcl/model.js';
import { parseExpression, parseFile } from '../../src/hcl/parse.js';
import { convertValue, inferType, parseTypeConstraint } from '../../src/hcl/types.js';

const range: SourceRange = { file: 'vars.pkr.hcl', start: { line: 3, column: 10, offset: 20 }, end: { line: 3, column: 16, offset: 26 } };

async function type(text: string): Promise<TypeConstraint> {
  return parseTypeConstraint(await parseExpression(text, 'type'));
}

describe('parseTypeConstraint', () => {
  const table: Array<[string, TypeConstraint]> = [
    ['string', { kind: 'string' }],
    ['number', { kind: 'number' }],
    ['bool', { kind: 'bool' }],
    ['any', { kind: 'any' }],
    ['list(string)', { kind: 'list', element: { kind: 'string' } }],
    ['set(number)', { kind: 'set', element: { kind: 'number' } }],
    ['map(list(string))', { kind: 'map', element: { kind: 'list', element: { kind: 'string' } } }],
    ['tuple([string, bool])', { kind: 'tuple', elements: [{ kind: 'string' }, { kind: 'bool' }] }],
    ['object({ url = string, sum = optional(string) })', { kind: 'object', attributes: { url: { kind: 'string' }, sum: { kind: 'string' } }, optional: ['sum'] }],
  ];
  for (const [text, want] of table) it(text, async () => assert.deepEqual(await type(text), want));

  it('rejects what is not a type', async () => {
    for (const bad of ['strng', 'list(string, number)', '"string"', 'tuple(string)', 'object(string)']) {
      await assert.rejects(type(bad), HclSyntaxError, bad);
    }
  });

  it('reads JSON-syntax type strings', async () => {
    const text = '{ "variable": { "isos": { "type": "map(object({url = string}))" } } }';
    const file = await parseFile({ path: 'v.pkr.json', displayPath: 'v.pkr.json', text });
    const t = ((file.body.content()[0] as Block).body.content()[0] as Attribute).expr;
    assert.deepEqual(parseTypeConstraint(t), { kind: 'map', element: { kind: 'object', attributes: { url: { kind: 'string' } }, optional: [] } });
  });
});

describe('convertValue', () => {
  const ok: Array<[string, Value, Value]> = [
    ['string', 5, '5'],
    ['string', 1.5, '1.5'],
    ['string', true, 'true'],
    ['number', '42', 42],
    ['number', '-1.5e3', -1500],
    ['bool', 'false', false],
    ['bool', '1', true],
    ['bool', '0', false],
    ['list(string)', [1, 'a'], ['1', 'a']],
    ['set(string)', ['b', 'a', 'b'], ['a', 'b']],
    ['map(number)', { a: '1' }, { a: 1 }],
    ['tuple([string, number])', [1, '2'], ['1', 2]],
    ['object({ a = string, b = optional(number), c = optional(string, "dflt") })', { a: 'x', extra: 1 }, { a: 'x', b: null, c: 'dflt' }],
    ['object({ c = optional(string, "dflt") })', { c: null }, { c: 'dflt' }],
    ['any', { x: [1] }, { x: [1] }],
    ['string', null, null],
  ];
  for (const [t, v, want] of ok) {
    it(`${JSON.stringify(v)} as ${t}`, async () => assert.deepEqual(convertValue(v, await type(t), range, 'variable "x"'), want));
  }

  const bad: Array<[string, Value, RegExp]> = [
    ['number', 'abc', /a number is required, got the string "abc"/],
    ['bool', 'yes', /a bool is required/],
    ['bool', 'True', /use lowercase "true"/],
    ['string', ['a'], /a string is required, got a list/],
    ['list(number)', [1, 'x'], /at \[1\]/],
    ['map(string)', 'x', /a map is required/],
    ['object({ url = string })', {}, /attribute "url" is required/],
    ['tuple([string])', ['a', 'b'], /tuple of 1 elements/],
  ];
  for (const [t, v, re] of bad) {
    it(`rejects ${JSON.stringify(v)} as ${t}`, async () => {
      const tc = await type(t);
      assert.throws(
        () => convertValue(v, tc, range, 'variable "iso_url"'),
        (err: unknown) => err instanceof TemplateError && re.test(err.message) && err.message.startsWith('variable "iso_url": ') && err.range === range,
      );
    });
  }

  it('passes unknowns through', async () => {
    const u = new UnknownValue('vault');
    assert.equal(convertValue(u, { kind: 'string' }, range, 'x'), u);
    const l = convertValue(['a', u], { kind: 'list', element: { kind: 'string' } }, range, 'x') as Value[];
    assert.ok(isUnknown(l[1]));
  });
});

describe('inferType', () => {
  it('gives the cty type of a default', () => {
    assert.deepEqual(inferType('x'), { kind: 'string' });
    assert.deepEqual(inferType(['a', 1]), { kind: 'tuple', elements: [{ kind: 'string' }, { kind: 'number' }] });
    assert.deepEqual(inferType({ b: true, a: null }), { kind: 'object', attributes: { a: { kind: 'any' }, b: { kind: 'bool' } }, optional: [] });
  });
});
