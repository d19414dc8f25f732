// Decoding file bytes: the text is Node's own UTF-8 decoding, and every ill-formed place is found
// at the offset of its U+FFFD, with its bytes (shown as \xff in messages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeUtf8, showBytes } from '../../src/hcl/utf8.js';

test('finds each ill-formed subsequence where its U+FFFD stands', () => {
  const d = decodeUtf8(Buffer.from([0x61, 0xff, 0x62, 0xc3, 0x28, 0xf0, 0x9f, 0x98, 0x80, 0xe2, 0x82, 0x63, 0xed, 0xa0, 0x80]));
  assert.equal(d.text, 'a\ufffdb\ufffd(\u{1f600}\ufffdc\ufffd\ufffd\ufffd');
  assert.deepEqual(
    d.invalid.map((i) => [i.at, i.byteOffset, showBytes(i.bytes)]),
    [
      [1, 1, '\\xff'],
      [3, 3, '\\xc3'],
      [7, 9, '\\xe2\\x82'],
      [9, 12, '\\xed'],
      [10, 13, '\\xa0'],
      [11, 14, '\\x80'],
    ],
  );
  assert.deepEqual(decodeUtf8(Buffer.from('caf\u00e9 \ufffd \u{1f600}', 'utf8')).invalid, [], 'valid UTF-8, a real U+FFFD included, has no invalid place');
});

test('agrees with Node on any bytes', () => {
  const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x80, 0xbf, 0xc2, 0xe0, 0xa0, 0xed, 0x9f, 0xf0, 0x90, 0xf4, 0x8f, 0xf5));
  fc.assert(
    fc.property(fc.array(byte, { maxLength: 24 }), (bytes) => {
      const buf = Buffer.from(bytes);
      const d = decodeUtf8(buf);
      assert.equal(d.text, buf.toString('utf8'));
      for (const i of d.invalid) assert.equal(d.text[i.at], '\ufffd');
      const replacements = [...d.text].filter((c) => c === '\ufffd').length;
      let real = 0;
      for (let i = 0; i + 2 < buf.length; i++) if (buf[i] === 0xef && buf[i + 1] === 0xbf && buf[i + 2] === 0xbd) real++;
      assert.equal(d.invalid.length, replacements - real);
    }),
    { numRuns: 2000 },
  );
});
