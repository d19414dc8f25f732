import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createJsonView, createPlainView, createTtyView, createView } from '../../src/provision/progress-view.js';
import type { ProvisionEvent } from '../../src/provision/events.js';
import { registerSecret } from '../../src/log.js';

function sink(isTTY = false) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 100;
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

const ref = { volid: 'local:iso/debian-12.ab12cd34ef56.iso', node: 'pve', storage: 'local' };
const MIB = 1024 * 1024;
const progress = (bytes: number, percent: number): ProvisionEvent => ({ ...ref, event: 'progress', phase: 'downloading', bytes, total: 640 * MIB, percent, bytesPerSecond: 32 * MIB, etaSeconds: 19 });

test('--json: one parseable object per event, with event and time, secrets redacted', () => {
  const out = sink();
  registerSecret('s3cr3t-token-value');
  const view = createJsonView(out.stream, () => Date.UTC(2026, 0, 2, 3, 4, 5));
  view.emit({ ...ref, event: 'start', url: 'https://m/x.iso?auth=s3cr3t-token-value', filename: 'x.iso', action: 'download', specs: ['source.proxmox-iso.debian boot_iso'] });
  view.emit(progress(64 * MIB, 10));
  view.emit({ event: 'summary', ok: true, seconds: 1.5, isos: [{ ...ref, outcome: 'downloaded', size: 640 * MIB, seconds: 1.5, specs: [] }] });
  const lines = out.text().trimEnd().split('\n');
  assert.equal(lines.length, 3);
  const objs = lines.map((l) => JSON.parse(l));
  assert.deepEqual(objs.map((o) => o.event), ['start', 'progress', 'summary']);
  assert.equal(objs[0].time, '2026-01-02T03:04:05.000Z');
  assert.equal(objs[0].url, 'https://m/x.iso?auth=<sensitive>');
  assert.equal(objs[1].bytes, 64 * MIB);
  assert.equal(objs[2].isos[0].outcome, 'downloaded');
});

test('plain view: progress at most once per interval per ISO, phase changes always shown', () => {
  let t = 0;
  const out = sink();
  const view = createPlainView(out.stream, { intervalMs: 10_000, now: () => t });
  view.emit(progress(32 * MIB, 5));
  t += 3000;
  view.emit(progress(64 * MIB, 10)); // suppressed
  t += 7000;
  view.emit(progress(96 * MIB, 15));
  t += 100;
  view.emit({ ...ref, event: 'progress', phase: 'verifying', bytes: 640 * MIB, total: 640 * MIB });
  view.emit({ ...ref, event: 'downloaded', size: 640 * MIB, seconds: 21, url: 'https://m/x.iso' });
  assert.equal(
    out.text(),
    [
      'hclx: local:iso/debian-12.ab12cd34ef56.iso: 5% of 640 MiB (32.0 MiB) at 32.0 MiB/s, ETA 0:19',
      'hclx: local:iso/debian-12.ab12cd34ef56.iso: 15% of 640 MiB (96.0 MiB) at 32.0 MiB/s, ETA 0:19',
      'hclx: local:iso/debian-12.ab12cd34ef56.iso: Proxmox is verifying the checksum',
      'hclx: downloaded local:iso/debian-12.ab12cd34ef56.iso on pve (640 MiB) in 21s',
      '',
    ].join('\n'),
  );
});

test('plain view: a task failure shows the whole task log', () => {
  const out = sink();
  createPlainView(out.stream).emit({ ...ref, event: 'error', code: 'E_DOWNLOAD', message: "checksum mismatch: got 'aa' != expect 'bb'", taskLog: ['downloading x', "TASK ERROR: checksum mismatch: got 'aa' != expect 'bb'"] });
  assert.match(out.text(), /^hclx: error: local:iso\/debian-12\.ab12cd34ef56\.iso on pve: checksum mismatch/);
  assert.match(out.text(), /\n {2}task log:\n {4}downloading x\n {4}TASK ERROR: checksum mismatch/);
});

test('TTY view: a bar with percent, speed and ETA, redrawn in place, removed when done', () => {
  let t = 0;
  const out = sink(true);
  const view = createTtyView(out.stream, { color: false, now: () => t, redrawMs: 100 });
  view.emit({ ...ref, event: 'start', url: 'https://m/x.iso', filename: 'x.iso', action: 'download', specs: [] });
  t += 200;
  view.emit(progress(320 * MIB, 50));
  const text = out.text();
  assert.match(text, /downloading local:iso\/debian-12\.ab12cd34ef56\.iso on pve from https:\/\/m\/x\.iso/);
  const barLine = text.split('\n').find((l) => l.includes('█'))!;
  assert.ok(barLine, text);
  assert.match(barLine, / 50% +32\.0 MiB\/s ETA 0:19$/);
  const filled = (barLine.match(/█/g) ?? []).length;
  const empty = (barLine.match(/░/g) ?? []).length;
  assert.ok(Math.abs(filled - empty) <= 1, `half full: ${filled} vs ${empty}`);
  assert.ok(text.includes('\x1b[1A\x1b[0J'), 'the bar is redrawn in place');
  t += 10; // within redrawMs: no redraw
  const before = out.text().length;
  view.emit(progress(352 * MIB, 55));
  assert.equal(out.text().length, before);
  view.emit({ ...ref, event: 'downloaded', size: 640 * MIB, seconds: 21 });
  view.close?.();
  assert.ok(out.text().trimEnd().endsWith('downloaded local:iso/debian-12.ab12cd34ef56.iso on pve (640 MiB) in 21s'));
});

test('createView picks JSON, TTY or plain', () => {
  const tty = sink(true);
  createView(tty.stream, { color: false }).emit({ event: 'warning', message: 'iso_checksum is none' });
  assert.match(tty.text(), /warning: iso_checksum is none/);
  const json = sink(true);
  createView(json.stream, { json: true }).emit({ event: 'warning', message: 'w' });
  assert.equal(JSON.parse(json.text()).event, 'warning');
});
