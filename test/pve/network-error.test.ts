// Failures below HTTP, produced for real on 127.0.0.1 and seen through the client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../support/temp.js';
import { generate } from 'selfsigned';
import { PveClient } from '../../src/pve/client.js';
import { networkErrorFrom, rootCause } from '../../src/pve/network-error.js';
import { NetworkError } from '../../src/errors.js';

const auth = { kind: 'token', tokenId: 'root@pam!t', secret: 'secret-network-tests' } as const;
const noRetry = { retry: false as const, env: {} };
let httpsServer: Server;
let httpServer: Server;
let garbage: TcpServer;
let caFile: string;
const port = (s: Server | TcpServer) => (s.address() as AddressInfo).port;
const clients: PveClient[] = [];
const client = (url: string, extra: { caFile?: string } = {}) => {
  const c = new PveClient({ url, auth, ...extra }, noRetry);
  clients.push(c);
  return c;
};

before(async () => {
  // A certificate for `localhost` only, signed by its own (untrusted) key.
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
  });
  caFile = join(tempDir('net'), 'ca.pem');
  writeFileSync(caFile, pems.cert);
  const answer = (_req: unknown, res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"version":"9.1.2","release":"9.1","repoid":"abc"}}');
  httpsServer = createHttpsServer({ key: pems.private, cert: pems.cert }, answer);
  httpServer = createHttpServer(answer);
  garbage = createTcpServer((sock) => sock.end('SSH-2.0-OpenSSH_9.6\r\n'));
  await Promise.all([httpsServer, httpServer, garbage].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))));
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const s of [httpsServer, httpServer]) s.closeAllConnections();
  await Promise.all([httpsServer, httpServer, garbage].map((s) => new Promise((r) => s.close(r))));
});

test('an untrusted certificate: E_NET_TLS with --ca-file / insecure_skip_tls_verify as the fix', async () => {
  const url = `https://127.0.0.1:${port(httpsServer)}/api2/json`;
  await assert.rejects(client(url).version(), (e: unknown) => {
    assert.ok(e instanceof NetworkError);
    assert.equal(e.code, 'E_NET_TLS');
    assert.ok(e.message.includes(`${url}/version`));
    assert.match(e.message, /SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
    assert.match(e.hint ?? '', /--ca-file <pem>.*NODE_EXTRA_CA_CERTS.*pve-root-ca\.pem.*insecure_skip_tls_verify = true/);
    return true;
  });
});

test('with the CA the chain verifies; a host name the certificate does not cover is explained', async () => {
  assert.equal((await client(`https://localhost:${port(httpsServer)}/api2/json`, { caFile }).version()).version, '9.1.2');
  await assert.rejects(client(`https://127.0.0.1:${port(httpsServer)}/api2/json`, { caFile }).version(), (e: unknown) => {
    assert.ok(e instanceof NetworkError && e.code === 'E_NET_TLS');
    assert.match(e.message, /ERR_TLS_CERT_ALTNAME_INVALID.*not valid for '127\.0\.0\.1'/);
    return true;
  });
});

test('https:// to a plain HTTP port, and a port that does not speak HTTP', async () => {
  await assert.rejects(client(`https://127.0.0.1:${port(httpServer)}/api2/json`).version(), (e: unknown) => e instanceof NetworkError && e.code === 'E_NET_TLS' && /not speak HTTPS/.test(e.hint ?? ''));
  await assert.rejects(client(`http://127.0.0.1:${port(garbage)}/api2/json`).version(), (e: unknown) => e instanceof NetworkError && e.code === 'E_NET_PROTOCOL' && /port and the scheme/.test(e.hint ?? ''));
});

test('a JSON-less answer (e.g. a login page in between) is a bad-response error, not a crash', async () => {
  const html = createHttpServer((_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'));
  await new Promise<void>((r) => html.listen(0, '127.0.0.1', () => r()));
  try {
    await assert.rejects(client(`http://127.0.0.1:${port(html)}/api2/json`).version(), (e: unknown) => (e as { code?: string }).code === 'E_PVE_BAD_RESPONSE' && /api2\/json/.test((e as { hint?: string }).hint ?? ''));
  } finally {
    html.closeAllConnections();
    await new Promise((r) => html.close(r));
  }
});

test('the most specific code is found in nested causes and AggregateErrors', () => {
  const nested = Object.assign(new Error('fetch failed'), { cause: new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:8006'), { code: 'ECONNREFUSED' })], 'x') });
  assert.equal(rootCause(nested).code, 'ECONNREFUSED');
  const undiciWrapped = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET', cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
  assert.equal(rootCause(undiciWrapped).code, 'ECONNRESET');
  const e = networkErrorFrom(Object.assign(new Error('getaddrinfo ENOTFOUND pve.lan'), { code: 'ENOTFOUND' }), { url: 'https://pve.lan:8006/api2/json', peer: 'proxmox', viaProxy: true });
  assert.equal(e.code, 'E_NET_DNS');
  assert.match(e.message, /'pve\.lan'/);
  const t = networkErrorFrom(Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), { url: 'https://pve:8006/api2/json', peer: 'proxmox', viaProxy: true });
  assert.equal(t.code, 'E_NET_TIMEOUT');
  assert.match(t.hint ?? '', /NO_PROXY/);
});
