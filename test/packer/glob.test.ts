import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGlob, GlobSyntaxError } from '../../src/packer/glob.js';

// [pattern, name, matches] — gobwas/glob semantics without separators, as Packer compiles them.
const MATCHES: Array<[string, string, boolean]> = [
  ['web.null.a', 'web.null.a', true],
  ['web.null.a', 'web.null.ab', false],
  ['web.null.a', 'xweb.null.a', false],
  ['*', '', true],
  ['*', 'a.b.c', true],
  ['*.a', 'web.null.a', true],
  ['web.*', 'web.proxmox-iso.ubuntu', true],
  ['web.*', 'webx.null.a', false],
  ['**', 'any.thing', true],
  ['a*b*c', 'a-b-c', true],
  ['a*b*c', 'a-c-b', false],
  ['?', 'a', true],
  ['?', '', false],
  ['?', 'ab', false],
  ['?', 'é', true],
  ['db-?', 'db-1', true],
  ['[abc]', 'b', true],
  ['[abc]', 'd', false],
  ['[!abc]', 'd', true],
  ['[!abc]', 'a', false],
  ['[a-c]', 'b', true],
  ['[a-c]', 'd', false],
  ['[!a-c]', 'd', true],
  ['[!a-c]', 'c', false],
  ['[^a]', '^', true],
  ['[^a]', 'b', false],
  ['[-]', '-', true],
  ['[--/]', '.', true],
  ['[\\a]', 'a', true],
  ['[!\\]]', 'a', true],
  ['[!\\]]', ']', false],
  ['{a,b}', 'a', true],
  ['{a,b}', 'b', true],
  ['{a,b}', 'c', false],
  ['x.{a,{b,c}}.y', 'x.c.y', true],
  ['{web', 'web', true],
  ['*.null.{a', 'web.null.a', true],
  ['{}', '', false],
  ['{}a', 'a', false],
  ['a}', 'a}', true],
  ['a]', 'a]', true],
  ['!a', '!a', true],
  ['a,b', 'a,b', true],
  ['\\*', '*', true],
  ['\\*', 'a', false],
  ['web\\.null\\.a', 'web.null.a', true],
  ['a\\', 'a', true],
  ['\\[x]', '[x]', true],
  ['a.b', 'aXb', false],
  ['(a|b)', '(a|b)', true],
  ['^a$', '^a$', true],
];

describe('compileGlob', () => {
  for (const [pattern, name, expected] of MATCHES) {
    it(`'${pattern}' ${expected ? 'matches' : 'does not match'} '${name}'`, () => {
      assert.equal(compileGlob(pattern).match(name), expected);
    });
  }

  const REJECTED: Array<[string, string]> = [
    ['[', 'unexpected end of input'],
    ['[ab', 'unexpected end of input'],
    ['[a-', 'unexpected end of input'],
    ['[]', 'could not parse range'],
    ['[!]', 'could not parse range'],
    ['[a-b0-9]', 'expected close range character'],
    ['[b-a]', "hi character 'a' should be greater than lo 'b'"],
  ];
  for (const [pattern, reason] of REJECTED) {
    it(`rejects '${pattern}' with gobwas/glob's reason`, () => {
      assert.throws(
        () => compileGlob(pattern),
        (e: unknown) => e instanceof GlobSyntaxError && e.reason === reason && e.pattern === pattern,
      );
    });
  }
});
