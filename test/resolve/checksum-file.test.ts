import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { algorithmFromName, candidateNames, findSumsEntry, parseSumsFile } from '../../src/resolve/checksum-file.js';

const hash = (alg: string, s: string) => createHash(alg).update(s).digest('hex');
const A = hash('sha256', 'a');
const B = hash('sha256', 'b');
const fixture = (name: string) => readFileSync(`fixtures/resolve/checksum/${name}`, 'utf8');
const pick = (file: string, isoPath: string, sumsPath = '/pub/SHA256SUMS') => findSumsEntry(parseSumsFile(fixture(file)), candidateNames(isoPath, sumsPath));

test('GNU text and binary-mode lines', () => {
  assert.equal(pick('debian-SHA256SUMS', '/debian-cd/12.7.0/amd64/iso-cd/debian-12.7.0-amd64-netinst.iso')?.value, A);
  assert.equal(pick('debian-SHA256SUMS', '/x/debian-edu-12.7.0-amd64-netinst.iso')?.value, B);
  assert.equal(pick('ubuntu-SHA256SUMS', '/24.04/ubuntu-24.04.1-live-server-amd64.iso')?.value, B);
  assert.equal(pick('ubuntu-SHA256SUMS', '/24.04/ubuntu-24.04.1-desktop-amd64.iso')?.value, A);
});

test('BSD lines in a PGP-signed file with CRLF endings (Fedora CHECKSUM)', () => {
  const entries = parseSumsFile(fixture('fedora-CHECKSUM'));
  assert.deepEqual(entries.map((e) => [e.algorithm, e.name, e.line]), [
    ['sha256', 'Fedora-Server-dvd-x86_64-41-1.4.iso', 5],
    ['sha256', 'Fedora-Server-netinst-x86_64-41-1.4.iso', 7],
  ]);
  assert.equal(pick('fedora-CHECKSUM', '/fedora/41/Server/x86_64/iso/Fedora-Server-netinst-x86_64-41-1.4.iso')?.value, A);
});

test("OpenSSL 3's SHA2-512(name)= lines", () => {
  const e = pick('openssl3.txt', '/alpine/v3.20/releases/x86_64/alpine-virt-3.20.3-x86_64.iso');
  assert.deepEqual([e?.algorithm, e?.value], ['sha512', hash('sha512', 'c')]);
});

test('./relative entries match the ISO path relative to the sums file', () => {
  assert.equal(pick('dot-slash-SHA256SUMS', '/rocky/releases/rocky-9.4-x86_64-minimal.iso', '/rocky/SHA256SUMS')?.value, A);
  // the same file name elsewhere does not match a ./releases/ entry
  assert.equal(pick('dot-slash-SHA256SUMS', '/other/rocky-9.4-x86_64-minimal.iso', '/rocky/SHA256SUMS'), undefined);
  assert.equal(pick('dot-slash-SHA256SUMS', '/rocky/other.iso', '/rocky/SHA256SUMS')?.value, B);
});

test('md5 typed by length; names with spaces; bare hash matches any file (as go-getter)', () => {
  assert.deepEqual(pick('md5sums.txt', '/freebsd.iso')?.algorithm, 'md5');
  assert.equal(pick('spaces.txt', '/My ISO (v2).iso')?.value, B);
  assert.equal(pick('spaces.txt', '/my-iso.iso')?.value, A);
  assert.equal(pick('bare-hash.txt', '/whatever.iso')?.value, A);
  assert.equal(pick('debian-SHA256SUMS', '/absent.iso'), undefined);
});

test('lines with a wrong hex length or an unknown algorithm are skipped', () => {
  const text = `${A.slice(1)}  short.iso\nSHA3 (x.iso) = ${A}\nSHA256 (y.iso) = ${A}00\n${'z'.repeat(64)}  notes.iso\n${A.toUpperCase()}  ok.iso\n`;
  assert.deepEqual(parseSumsFile(text).map((e) => [e.name, e.value]), [['ok.iso', A]]);
});

test('algorithm names', () => {
  assert.equal(algorithmFromName('SHA256'), 'sha256');
  assert.equal(algorithmFromName('SHA2-384'), 'sha384');
  assert.equal(algorithmFromName('sha-1'), 'sha1');
  assert.equal(algorithmFromName('MD5'), 'md5');
  assert.equal(algorithmFromName('blake2'), undefined);
});
