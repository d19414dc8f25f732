import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeMachineField, encodeMachineField, formatMachineReadable, isMachineReadableOutput, parseMachineReadable } from '../../src/packer/machine-readable.js';

describe('machine-readable format', () => {
  it("encodes commas and line breaks as Packer does", () => {
    assert.equal(encodeMachineField('a, b\nc\r'), 'a%!(PACKER_COMMA) b\\nc\\r');
    assert.equal(formatMachineReadable({ timestamp: 1700000000.9, target: '', type: 'ui', data: ['say', 'x,y'] }), '1700000000,,ui,say,x%!(PACKER_COMMA)y\n');
  });
  it('decodes what it encodes', () => {
    const text = 'downloading ubuntu.iso, 10%\nnext line';
    assert.equal(decodeMachineField(encodeMachineField(text)), text);
  });
  it('parses every line Packer 1.6.6 printed', () => {
    const r = JSON.parse(readFileSync('fixtures/packer/recorded/build-fails-machine-readable.json', 'utf8')) as { stdout: string };
    assert.ok(isMachineReadableOutput(r.stdout));
    const lines = r.stdout.trimEnd().split('\n').map(parseMachineReadable);
    assert.ok(lines.every((l) => l !== undefined));
    assert.deepEqual(lines.find((l) => l!.type === 'error'), { timestamp: lines[0]!.timestamp, target: 'null.failing', type: 'error', data: ['Script exited with non-zero exit status: 3.Allowed exit codes are: [0]'] });
    assert.deepEqual(lines[2]!.data, ['say', '==> null.failing: Provisioning step had errors: Running the cleanup provisioner, if present...']);
  });
  it('tells human output from machine-readable output', () => {
    const human = JSON.parse(readFileSync('fixtures/packer/recorded/build-fails.json', 'utf8')) as { stdout: string };
    assert.equal(isMachineReadableOutput(human.stdout), false);
    assert.equal(isMachineReadableOutput(''), false);
    assert.equal(parseMachineReadable('==> hclx: hello'), undefined);
  });
});
