// File bytes as text: UTF-8 decoding that also says where the bytes were that are not UTF-8, so a
// parser can refuse them where HCL does (outside comments) and show them as `\xff`. The text is
// exactly Node's decoding (each maximal ill-formed subsequence becomes one U+FFFD, the WHATWG
// rule), and every invalid place is given as an offset into that text.

export interface InvalidUtf8 {
  /** UTF-16 offset in the decoded text (where its U+FFFD stands). */
  at: number;
  /** Byte offset in the input. */
  byteOffset: number;
  /** The bytes of the ill-formed subsequence. */
  bytes: number[];
}

export interface DecodedUtf8 {
  text: string;
  invalid: InvalidUtf8[];
}

/** The length (1-4) of a well-formed sequence starting at `i`, or the length of its maximal ill-formed subpart as a negative number. */
function sequenceAt(b: Uint8Array, i: number): number {
  const lead = b[i] as number;
  if (lead < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) need = 1;
  else if (lead >= 0xe0 && lead <= 0xef) {
    need = 2;
    if (lead === 0xe0) lo = 0xa0;
    if (lead === 0xed) hi = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    need = 3;
    if (lead === 0xf0) lo = 0x90;
    if (lead === 0xf4) hi = 0x8f;
  } else return -1;
  for (let k = 1; k <= need; k++) {
    const c = b[i + k];
    if (c === undefined || c < lo || c > hi) return -k;
    lo = 0x80;
    hi = 0xbf;
  }
  return need + 1;
}

/** Decodes UTF-8 (a BOM is kept as U+FEFF) and lists the ill-formed places. */
export function decodeUtf8(bytes: Uint8Array): DecodedUtf8 {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const invalid: InvalidUtf8[] = [];
  let at = 0;
  for (let i = 0; i < bytes.length; ) {
    const n = sequenceAt(bytes, i);
    if (n > 0) {
      at += n === 4 ? 2 : 1;
      i += n;
    } else {
      invalid.push({ at, byteOffset: i, bytes: Array.from(bytes.subarray(i, i - n)) });
      at += 1;
      i -= n;
    }
  }
  return { text, invalid };
}

/** `\xc3\x28`: bytes as a reader can find them in a hex editor. */
export function showBytes(bytes: readonly number[]): string {
  return bytes.map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
}
