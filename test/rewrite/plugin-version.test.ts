import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admittedGenerations, parseConstraint } from '../../src/rewrite/plugin-version.js';

const gen = (c: string) => admittedGenerations(parseConstraint(c)!);

test('constraints as the corpus writes them, reduced to plugin generations', () => {
  assert.deepEqual(gen('>= 1.1.5'), { legacy: true, modern: true });
  assert.deepEqual(gen('~> 1.1.8'), { legacy: true, modern: false });
  assert.deepEqual(gen('= 1.1.8'), { legacy: true, modern: false });
  assert.deepEqual(gen('1.1.8'), { legacy: true, modern: false });
  assert.deepEqual(gen('v1.2.4'), { legacy: false, modern: true });
  assert.deepEqual(gen('>= 1.2.0'), { legacy: false, modern: true });
  assert.deepEqual(gen('~> 1.2'), { legacy: false, modern: true });
  assert.deepEqual(gen('~> 1.2.2'), { legacy: false, modern: true });
  assert.deepEqual(gen('<= 1.2.1'), { legacy: true, modern: true });
  assert.deepEqual(gen('>= 1.1.0, < 1.2.0'), { legacy: true, modern: false });
  assert.deepEqual(gen(' >= 1.1.0'), { legacy: true, modern: true });
});

test('invalid constraints are recognised', () => {
  assert.equal(parseConstraint('latest'), undefined);
  assert.equal(parseConstraint('>= one'), undefined);
});
