import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseChecksumSpec, resolveChecksum } from '../../src/resolve/checksum.js';
import { NetworkError, TemplateError, type SourceRange } from '../../src/errors.js';

const A = createHash('sha256').update('a').digest('hex');
const range: SourceRange = { file: 'debian.pkr.hcl', start: { line: 12, column: 5, offset: 200 }, end: { line: 12, column: 40, offset: 235 } };

test('typed checksums: every algorithm Proxmox accepts, lowercased', () => {
  const cases: Array<[string, number]> = [['md5', 32], ['sha1', 40], ['sha224', 56], ['sha256', 64], ['sha384', 96], ['sha512', 128]];
  for (const [alg, len] of cases) {
    const hex = 'AbC1'.repeat(len / 4);
    assert.deepEqual(parseChecksumSpec(`${alg}:${hex}`), { kind: 'value', checksum: { algorithm: alg, value: hex.toLowerCase() } });
  }
});

test('bare hex is typed by its length (32 md5, 40 sha1, 64 sha256, 128 sha512)', () => {
  for (const [len, alg] of [[32, 'md5'], [40, 'sha1'], [64, 'sha256'], [128, 'sha512']] as const) {
    const spec = parseChecksumSpec('f'.repeat(len));
    assert.equal(spec.kind === 'value' && spec.checksum.algorithm, alg);
  }
});

test('none and file: specs', () => {
  assert.deepEqual(parseChecksumSpec('none'), { kind: 'none' });
  assert.deepEqual(parseChecksumSpec('file:https://mirror/SHA256SUMS'), { kind: 'file', location: 'https://mirror/SHA256SUMS' });
  assert.deepEqual(parseChecksumSpec('file:./sums'), { kind: 'file', location: './sums' });
});

const bad: Array<[string, RegExp, RegExp]> = [
  ['', /empty/, /sha256:/],
  ['sha256:abc', /has 64 hex digits, this one has 3/, /Copy the whole/],
  [`sha256:${'a'.repeat(40)}`, /this one has 40/, /is a sha1 sum: write "sha1:a{40}"/],
  [`sha256:${'g'.repeat(64)}`, /not hexadecimal/, /64 hex digits/],
  [`blake3:${A}`, /type 'blake3' is not supported/, /sha384/],
  ['a'.repeat(56), /56 hex digits match no algorithm/, /sha224/],
  ['https://x/SHA256SUMS', /without the file: prefix/, /"file:https:\/\/x\/SHA256SUMS"/],
  ['https://x/debian.iso', /ends in \.iso/, /not the ISO/],
  ['file:', /names no sums file/, /file:https/],
  ['NONE?', /not a checksum/, /"none"/],
];
for (const [raw, msg, hint] of bad) {
  test(`refuses ${JSON.stringify(raw)} as a template error at the attribute`, () => {
    assert.throws(
      () => parseChecksumSpec(raw, { range }),
      (e: unknown) => e instanceof TemplateError && msg.test(e.message) && hint.test(e.hint ?? '') && e.describe().startsWith('debian.pkr.hcl:12:5: '),
    );
  });
}

// ---- file: over real HTTP on loopback and from local paths ----

let server: Server;
let base: string;
const served = { count: 0 };
before(async () => {
  server = createServer((req, res) => {
    served.count++;
    const url = req.url ?? '/';
    if (url === '/moved/SHA256SUMS') {
      res.writeHead(302, { location: '/debian-cd/12.7.0/amd64/iso-cd/SHA256SUMS' }).end();
    } else if (url === '/debian-cd/12.7.0/amd64/iso-cd/SHA256SUMS') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(readFileSync('fixtures/resolve/checksum/debian-SHA256SUMS'));
    } else if (url === '/huge') {
      res.writeHead(200);
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      let n = 0;
      const pump = () => {
        while (n < 10 && res.write(chunk)) n++;
        if (n >= 10) res.end();
        else res.once('drain', () => { n++; pump(); });
      };
      pump();
    } else if (url === '/hang') {
      // never answers; the client's timeout must end it
    } else {
      res.writeHead(404, 'Not Found').end('not here');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const iso = () => `${base}/debian-cd/12.7.0/amd64/iso-cd/debian-12.7.0-amd64-netinst.iso`;

test('file:URL fetches the sums file on the runner (following redirects) and picks the ISO entry', async () => {
  const r = await resolveChecksum(`file:${base}/moved/SHA256SUMS`, { isoUrl: iso(), cwd: process.cwd(), env: {} });
  assert.equal(r.algorithm, 'sha256');
  assert.equal((r as { value?: string }).value, A);
  assert.equal(r.source?.line, 1);
});

test('file:path is read relative to the cwd, and file:// URLs work', async () => {
  const isoUrl = 'https://deb.example/debian-cd/debian-12.7.0-amd64-netinst.iso';
  const rel = await resolveChecksum('file:checksum/debian-SHA256SUMS', { isoUrl, cwd: `${process.cwd()}/fixtures/resolve` });
  assert.equal(rel.algorithm !== 'none' && rel.value, A);
  const url = await resolveChecksum(`file:file://${process.cwd()}/fixtures/resolve/checksum/debian-SHA256SUMS`, { isoUrl, cwd: '/' });
  assert.equal(url.algorithm !== 'none' && url.value, A);
});

test('none resolves to no checksum without any I/O; inline values pass through', async () => {
  assert.deepEqual(await resolveChecksum('none', { isoUrl: iso(), cwd: '/nonexistent' }), { algorithm: 'none' });
  assert.deepEqual(await resolveChecksum(`sha256:${A.toUpperCase()}`, { isoUrl: iso(), cwd: '/nonexistent' }), { algorithm: 'sha256', value: A });
});

test('no entry for the ISO: template error listing what the file has', async () => {
  await assert.rejects(
    resolveChecksum(`file:${base}/debian-cd/12.7.0/amd64/iso-cd/SHA256SUMS`, { isoUrl: `${base}/debian-cd/12.6.0/debian-12.6.0-amd64-netinst.iso`, cwd: '/', range, env: {} }),
    (e: unknown) => e instanceof TemplateError && e.code === 'E_CHECKSUM_NOT_FOUND' && /no entry for 'debian-12\.6\.0-amd64-netinst\.iso'.*debian-12\.7\.0-amd64-netinst\.iso/.test(e.message) && e.range === range,
  );
});

test('a sums file the server does not have is a network error naming the URL and status', async () => {
  await assert.rejects(
    resolveChecksum(`file:${base}/gone/SHA256SUMS`, { isoUrl: iso(), cwd: '/', env: {} }),
    (e: unknown) => e instanceof NetworkError && e.code === 'E_CHECKSUM_FILE_HTTP' && e.message.includes(`${base}/gone/SHA256SUMS`) && /404/.test(e.message),
  );
});

test('an unreachable sums server is a network error (connection refused)', async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  await assert.rejects(
    resolveChecksum(`file:http://127.0.0.1:${port}/SHA256SUMS`, { isoUrl: iso(), cwd: '/', env: {} }),
    (e: unknown) => e instanceof NetworkError && e.code === 'E_NET_REFUSED' && e.message.includes(`127.0.0.1:${port}`),
  );
});

test('a hanging server is cut off by the timeout; an oversized body is refused', async () => {
  await assert.rejects(
    resolveChecksum(`file:${base}/hang`, { isoUrl: iso(), cwd: '/', env: {}, timeoutMs: 200 }),
    (e: unknown) => e instanceof NetworkError && e.code === 'E_NET_TIMEOUT',
  );
  await assert.rejects(
    resolveChecksum(`file:${base}/huge`, { isoUrl: iso(), cwd: '/', env: {} }),
    (e: unknown) => e instanceof NetworkError && e.code === 'E_CHECKSUM_FILE_SIZE',
  );
});

test('a missing local sums file is a template error naming the resolved path', async () => {
  await assert.rejects(
    resolveChecksum('file:./nope/SHA256SUMS', { isoUrl: iso(), cwd: '/tmp', range }),
    (e: unknown) => e instanceof TemplateError && e.code === 'E_CHECKSUM_FILE' && e.message.includes('/tmp/nope/SHA256SUMS') && /ENOENT/.test(e.message),
  );
  await assert.rejects(resolveChecksum('file:s3::https://bucket/sums', { isoUrl: iso(), cwd: '/tmp' }), /scheme hclx cannot fetch/);
});

test('file: with credentials in the URL fetches with basic auth, as go-getter does; another origin never sees them', async () => {
  const seen: Array<string | undefined> = [];
  const other = createServer((req, res) => {
    seen.push(`other ${req.headers.authorization ?? 'none'}`);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(readFileSync('fixtures/resolve/checksum/debian-SHA256SUMS'));
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  const otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  const guarded = createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.headers.authorization !== `Basic ${Buffer.from('mirror user:p@ss:w0rd').toString('base64')}`) {
      res.writeHead(401, 'Unauthorized', { 'www-authenticate': 'Basic realm="isos"' }).end();
    } else if (req.url === '/away/SHA256SUMS') {
      res.writeHead(302, { location: `${otherBase}/debian-cd/12.7.0/amd64/iso-cd/SHA256SUMS` }).end();
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(readFileSync('fixtures/resolve/checksum/debian-SHA256SUMS'));
    }
  });
  await new Promise<void>((r) => guarded.listen(0, '127.0.0.1', r));
  const port = (guarded.address() as AddressInfo).port;
  try {
    const withCredentials = `http://mirror%20user:p%40ss%3Aw0rd@127.0.0.1:${port}/debian-cd/12.7.0/amd64/iso-cd/SHA256SUMS`;
    const r = await resolveChecksum(`file:${withCredentials}`, { isoUrl: iso(), cwd: '/', env: {} });
    assert.equal((r as { value?: string }).value, A);
    await assert.rejects(
      resolveChecksum(`file:http://127.0.0.1:${port}/debian-cd/12.7.0/amd64/iso-cd/SHA256SUMS`, { isoUrl: iso(), cwd: '/', env: {} }),
      (e: unknown) => e instanceof NetworkError && /401/.test(e.message),
      'without credentials the server refuses',
    );
    seen.length = 0;
    await resolveChecksum(`file:http://mirror%20user:p%40ss%3Aw0rd@127.0.0.1:${port}/away/SHA256SUMS`, { isoUrl: iso(), cwd: '/', env: {} });
    assert.deepEqual(seen.slice(1), ['other none'], 'the redirect to another origin carries no credentials');
  } finally {
    guarded.close();
    other.close();
  }
});
