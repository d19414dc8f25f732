// Deterministic ISO-like content for the mirror: byte i of file NAME depends only on (NAME, i), so
// its checksum is stable across runs and machines, and any range can be produced without holding
// the file in memory. Each 64 KiB block is filled by xorshift32 seeded from sha256(NAME/block).
// Block 0 carries an ISO 9660 primary volume descriptor signature at 32 KiB, like a real image.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

const BLOCK = 64 * 1024;

function block(name: string, index: number): Buffer {
  const seed = createHash('sha256').update(`${name}/${index}`).digest();
  const out = Buffer.allocUnsafe(BLOCK);
  let x = seed.readUInt32LE(0) || 0x9e3779b9;
  for (let i = 0; i < BLOCK; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  if (index === 0) {
    out.fill(0, 0, 32768);
    out.writeUInt8(1, 32768);
    out.write('CD001', 32769, 'latin1');
    out.writeUInt8(1, 32774);
  }
  return out;
}

/** A stream of bytes [start, end) of the generated file `name`. */
export function generatedRange(name: string, start: number, end: number): Readable {
  let pos = start;
  return new Readable({
    highWaterMark: BLOCK,
    read() {
      if (pos >= end) {
        this.push(null);
        return;
      }
      const index = Math.floor(pos / BLOCK);
      const data = block(name, index);
      const from = pos - index * BLOCK;
      const to = Math.min(BLOCK, end - index * BLOCK);
      pos = index * BLOCK + to;
      this.push(data.subarray(from, to));
    },
  });
}
