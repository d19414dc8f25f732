import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { PackerFlag } from '../../src/packer/flags.js';
import { registerSecret } from '../../src/log.js';
import { parseMachineReadable } from '../../src/packer/machine-readable.js';
import { colorLevel, createReporter, formatBytes, formatProgress, reporterOptionsFromFlags, type ReporterOptions } from '../../src/packer/output.js';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}
const flag = (tokens: string[], name: string, value?: string): PackerFlag => ({ name, value, tokens });
const NOW = () => 1_700_000_000_500;

describe('hclx output in normal mode', () => {
  it('prefixes every line like Packer does for a build', () => {
    const stream = new Capture();
    const r = createReporter({ stream, machineReadable: false, color: true, env: {}, now: NOW });
    r.say('Downloading 2 ISOs on node pve');
    r.message('ubuntu-24.04.iso: already on local\ndebian-12.iso: downloading');
    r.error('download of debian-12.iso failed');
    assert.equal(
      stream.text,
      '==> hclx: Downloading 2 ISOs on node pve\n    hclx: ubuntu-24.04.iso: already on local\n    hclx: debian-12.iso: downloading\n==> hclx: download of debian-12.iso failed\n',
    );
  });
  it('colours only on a TTY, never with -color=false or NO_COLOR', () => {
    const tty = new Capture(true);
    createReporter({ stream: tty, machineReadable: false, color: true, env: {} }).error('boom');
    assert.equal(tty.text, '\u001b[1m\u001b[31m==> hclx: boom\u001b[39m\u001b[22m\n');
    for (const options of [
      { stream: new Capture(false), color: true, env: {} },
      { stream: new Capture(true), color: false, env: {} },
      { stream: new Capture(true), color: true, env: { NO_COLOR: '1' } },
      { stream: new Capture(true), color: true, env: { TERM: 'dumb' } },
    ]) {
      createReporter({ ...options, machineReadable: false }).say('plain');
      assert.equal(options.stream.text, '==> hclx: plain\n');
    }
  });
  it('reports progress as a detail line', () => {
    const stream = new Capture();
    createReporter({ stream, machineReadable: false, color: false }).progress!({ label: 'ubuntu.iso', done: 512 * 1024 * 1024, total: 2 * 1024 ** 3 });
    assert.equal(stream.text, '    hclx: ubuntu.iso: 25% (512.0 MiB of 2.0 GiB)\n');
  });
  it('never prints a registered secret', () => {
    registerSecret('s3cr3t-token-value');
    const stream = new Capture();
    createReporter({ stream, machineReadable: false, color: false }).error('login with s3cr3t-token-value failed');
    assert.equal(stream.text, '==> hclx: login with <sensitive> failed\n');
  });
});

describe('hclx output in -machine-readable mode', () => {
  it("writes Packer's machine-readable ui lines, commas and newlines encoded, no colour", () => {
    const stream = new Capture(true);
    const r = createReporter({ stream, machineReadable: true, color: true, env: {}, now: NOW });
    r.say('Downloading ubuntu.iso, debian.iso');
    r.error('failed:\nconnection refused');
    r.message('detail');
    assert.equal(
      stream.text,
      '1700000000,,ui,say,Downloading ubuntu.iso%!(PACKER_COMMA) debian.iso\n1700000000,,ui,error,failed:\\nconnection refused\n1700000000,,ui,message,detail\n',
    );
    assert.deepEqual(parseMachineReadable(stream.text.split('\n')[0]!)!.data, ['say', 'Downloading ubuntu.iso, debian.iso']);
  });
});

describe('reporterOptionsFromFlags', () => {
  const tty = new Capture(true);
  it('reads -machine-readable and -color=false from the Packer flags', () => {
    const base = reporterOptionsFromFlags([], tty, {});
    assert.equal(base.machineReadable, false);
    assert.equal(base.color, true);
    assert.equal(reporterOptionsFromFlags([flag(['-machine-readable'], 'machine-readable')], tty, {}).machineReadable, true);
    assert.equal(reporterOptionsFromFlags([flag(['-color=false'], 'color', 'false')], tty, {}).color, false);
    assert.equal(reporterOptionsFromFlags([flag(['-color=false'], 'color', 'false'), flag(['-color'], 'color')], tty, {}).color, true);
  });
  it('turns colour off in machine-readable mode', () => {
    const options: ReporterOptions = reporterOptionsFromFlags([flag(['-machine-readable'], 'machine-readable')], tty, {});
    assert.equal(colorLevel(options), 0);
  });
});

describe('formatting', () => {
  it('formats sizes and progress without a total', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatProgress({ label: 'x.iso', done: 3 * 1024 ** 2 }), 'x.iso: 3.0 MiB');
    assert.equal(formatProgress({ label: 'x.iso', done: 10, total: 10 }), 'x.iso: 100% (10 B of 10 B)');
  });
});
