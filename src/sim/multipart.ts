// A streaming multipart/form-data reader: text fields are collected, file parts are handed to
// the caller chunk by chunk (awaited, so a slow disk slows the socket), and nothing larger than a
// boundary's worth of bytes is held in memory.
import type { Readable } from 'node:stream';

export interface PartHeaders {
  name: string | undefined;
  filename: string | undefined;
  contentType: string | undefined;
}

export interface FileSink {
  write(chunk: Buffer): Promise<void>;
  end(): Promise<void>;
}

export class MultipartError extends Error {}

const MAX_FIELD = 64 * 1024;
const MAX_HEADER = 16 * 1024;

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /^multipart\/form-data\s*;.*?boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

function parsePartHeaders(text: string): PartHeaders {
  const out: PartHeaders = { name: undefined, filename: undefined, contentType: undefined };
  for (const line of text.split('\r\n')) {
    const idx = line.indexOf(':');
    if (idx < 0) continue;
    const key = line.slice(0, idx).trim().toLowerCase();
    const value = line.slice(idx + 1).trim();
    if (key === 'content-disposition') {
      out.name = /\bname="([^"]*)"/i.exec(value)?.[1] ?? /\bname=([^;\s]+)/i.exec(value)?.[1];
      out.filename = /\bfilename="([^"]*)"/i.exec(value)?.[1] ?? /\bfilename=([^;\s]+)/i.exec(value)?.[1];
    } else if (key === 'content-type') out.contentType = value;
  }
  return out;
}

/**
 * Reads the whole body. `openFile` is called for each part that carries a filename and returns
 * where its bytes go. Returns the text fields.
 */
export async function readMultipart(body: Readable, boundary: string, openFile: (h: PartHeaders) => Promise<FileSink>): Promise<Record<string, string>> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const fields: Record<string, string> = {};
  // A leading CRLF makes the first boundary look like every other one.
  let buf: Buffer = Buffer.from('\r\n');
  type State = 'preamble' | 'afterBoundary' | 'headers' | 'body' | 'done';
  let state = 'preamble' as State;
  let part: PartHeaders | undefined;
  let sink: FileSink | undefined;
  let field: Buffer[] = [];
  let fieldSize = 0;

  const emit = async (data: Buffer) => {
    if (data.length === 0) return;
    if (sink) await sink.write(data);
    else {
      fieldSize += data.length;
      if (fieldSize > MAX_FIELD) throw new MultipartError('form field too large');
      field.push(data);
    }
  };
  const finishPart = async () => {
    if (sink) await sink.end();
    else if (part?.name !== undefined) fields[part.name] = Buffer.concat(field).toString('utf8');
    sink = undefined;
    part = undefined;
    field = [];
    fieldSize = 0;
  };

  const step = async (): Promise<boolean> => {
    if (state === 'preamble') {
      const i = buf.indexOf(delimiter);
      if (i < 0) {
        buf = buf.subarray(Math.max(0, buf.length - delimiter.length));
        return false;
      }
      buf = buf.subarray(i + delimiter.length);
      state = 'afterBoundary';
      return true;
    }
    if (state === 'afterBoundary') {
      if (buf.length < 2) return false;
      if (buf[0] === 0x2d && buf[1] === 0x2d) {
        state = 'done';
        return false;
      }
      const eol = buf.indexOf('\r\n');
      if (eol < 0) return false;
      buf = buf.subarray(eol + 2);
      state = 'headers';
      return true;
    }
    if (state === 'headers') {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_HEADER) throw new MultipartError('part headers too large');
        return false;
      }
      part = parsePartHeaders(buf.subarray(0, end).toString('utf8'));
      buf = buf.subarray(end + 4);
      if (part.filename !== undefined) sink = await openFile(part);
      state = 'body';
      return true;
    }
    if (state === 'body') {
      const i = buf.indexOf(delimiter);
      if (i < 0) {
        const keep = delimiter.length - 1;
        if (buf.length > keep) {
          await emit(buf.subarray(0, buf.length - keep));
          buf = buf.subarray(buf.length - keep);
        }
        return false;
      }
      await emit(buf.subarray(0, i));
      buf = buf.subarray(i + delimiter.length);
      await finishPart();
      state = 'afterBoundary';
      return true;
    }
    return false;
  };

  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (await step());
      if (state === 'done') break;
    }
  } catch (e) {
    if (sink) await sink.end().catch(() => undefined);
    throw e;
  }
  if (state !== 'done') {
    if (sink) await sink.end().catch(() => undefined);
    throw new MultipartError('unexpected end of multipart body');
  }
  return fields;
}
