// The Proxmox client against the simulator over real HTTP and HTTPS on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect as tcpConnect, createServer, type Socket } from 'node:net';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { PassThrough } from 'node:stream';
import { PveClient, type PveClientOptions } from '../../src/pve/client.js';
import type { PveConnection } from '../../src/pve/connection.js';
import { stopTaskAndWait, taskError, waitForTask } from '../../src/pve/task.js';
import { resolveChecksum } from '../../src/resolve/checksum.js';
import { DownloadError, NetworkError, ProxmoxError } from '../../src/errors.js';
import { createLogger, type Logger } from '../../src/log.js';
import { startSimulator } from '../../src/sim/index.js';
import type { SimConfig, SimHandle } from '../../src/sim/types.js';

const ROOT_PW = 'root-password-xyz';
const ROOT_TOKEN = 'aaaaaaaa-1111-2222-3333-root-token-00';
const LIMITED_TOKEN = 'bbbbbbbb-1111-2222-3333-limited-token-0';
const config: SimConfig = {
  nodes: ['pve'],
  storages: [
    { storage: 'local', type: 'dir', content: ['iso', 'vztmpl', 'backup'] },
    { storage: 'local-lvm', type: 'lvmthin', content: ['images', 'rootdir'] },
    { storage: 'isos', type: 'nfs', content: ['iso'], shared: true },
    { storage: 'backups', type: 'dir', content: ['backup'] },
  ],
  users: [
    { userid: 'root@pam', password: ROOT_PW },
    { userid: 'ci@pve', password: 'ci-password-xyz' },
  ],
  tokens: [
    { tokenid: 'root@pam!hclx', secret: ROOT_TOKEN, privsep: false },
    { tokenid: 'ci@pve!limited', secret: LIMITED_TOKEN },
  ],
  mirrorFiles: { 'tiny.iso': 96 * 1024 },
};

/** A logger writing into an array, to assert what --log-level debug prints. */
function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  return { logger: createLogger(stream, { level: 'debug' }), lines };
}
const flush = () => new Promise((r) => setImmediate(r));

const fastRetry: PveClientOptions['retry'] = { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20, maxTotalMs: 5_000 };
const clients: PveClient[] = [];
function client(conn: Partial<PveConnection> & Pick<PveConnection, 'url' | 'auth'>, options: PveClientOptions = {}): PveClient {
  const c = new PveClient({ node: 'pve', ...conn }, { env: {}, retry: fastRetry, ...options });
  clients.push(c);
  return c;
}
const rootToken = { kind: 'token', tokenId: 'root@pam!hclx', secret: ROOT_TOKEN } as const;

let http: SimHandle;
let https: SimHandle;
before(async () => {
  http = await startSimulator(config);
  https = await startSimulator({ ...config, tls: true });
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await http?.stop();
  await https?.stop();
});

test('token auth: version, nodes, ISO storages and content', { timeout: 20_000 }, async () => {
  const { logger, lines } = capture();
  const c = client({ url: http.apiUrl, auth: rootToken }, { logger });
  assert.match((await c.version()).release, /^\d+\.\d+$/);
  assert.deepEqual((await c.nodes()).map((n) => n.node), ['pve']);
  const isoStorages = await c.storages('pve', { content: 'iso', enabled: true });
  assert.deepEqual(isoStorages.map((s) => s.storage).sort(), ['isos', 'local']);
  const local = isoStorages.find((s) => s.storage === 'local')!;
  assert.equal(local.enabled, true);
  assert.equal(local.shared, false);
  assert.ok(local.content.includes('iso'));
  assert.deepEqual(await c.content('pve', 'local', { content: 'iso' }), []);
  await flush();
  assert.ok(lines.some((l) => /debug: GET \/version 200 \d+ms/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => l.includes('GET /nodes/pve/storage?content=iso&enabled=1 200')));
  assert.ok(!lines.join('\n').includes(ROOT_TOKEN), 'the token secret never reaches the log');
});

test('ticket auth with CSRF: download-url, task followed to the end with its log, file on the storage', { timeout: 30_000 }, async () => {
  const { logger, lines } = capture();
  const c = client({ url: http.apiUrl, auth: { kind: 'password', username: 'root@pam', password: ROOT_PW } }, { logger });
  const isoUrl = `${http.mirrorUrl}tiny.iso`;
  const checksum = await resolveChecksum(`file:${http.mirrorUrl}SHA256SUMS`, { isoUrl, cwd: process.cwd(), env: {} });
  assert.equal(checksum.algorithm, 'sha256');
  const upid = await c.downloadUrl('pve', 'local', { url: isoUrl, filename: 'tiny.iso', checksum: checksum as { algorithm: 'sha256'; value: string } });
  const log: string[] = [];
  const result = await waitForTask(c, upid, { onLog: (l) => log.push(l.t) });
  assert.equal(result.ok, true, result.exitstatus);
  assert.equal(result.exitstatus, 'OK');
  assert.ok(log.some((l) => l.startsWith('downloading ')), log.join('\n'));
  assert.equal(log.at(-1), 'TASK OK');
  assert.equal(new Set(log).size, log.length, 'each log line delivered once');
  assert.ok(existsSync(`${http.isoDir('local')}/tiny.iso`));
  const items = await c.content('pve', 'local', { content: 'iso' });
  assert.deepEqual(items.map((i) => [i.volid, i.size]), [['local:iso/tiny.iso', 96 * 1024]]);
  await flush();
  const text = lines.join('\n');
  assert.match(text, /POST \/access\/ticket 200/);
  assert.match(text, /POST \/nodes\/pve\/storage\/local\/download-url 200/);
  assert.ok(!text.includes(ROOT_PW), 'password never logged');
  // a second download of the same file is verified by Proxmox and reused
  const again = await waitForTask(c, await c.downloadUrl('pve', 'local', { url: isoUrl, filename: 'tiny.iso', checksum: checksum as { algorithm: 'sha256'; value: string } }));
  assert.equal(again.ok, true);
  // without a checksum Proxmox refuses to overwrite; the task error says what to do
  const refused = await waitForTask(c, await c.downloadUrl('pve', 'local', { url: isoUrl, filename: 'tiny.iso' }));
  assert.equal(refused.ok, false);
  const err = taskError(refused);
  assert.ok(err instanceof DownloadError);
  assert.equal(err.code, 'E_TASK_FILE_EXISTS');
  assert.match(err.message, /refusing to override existing file/);
  // clean up through the API: imgdel task
  const del = await c.deleteContent('pve', 'local:iso/tiny.iso');
  if (del) assert.equal((await waitForTask(c, del)).ok, true);
  assert.equal(existsSync(`${http.isoDir('local')}/tiny.iso`), false);
});

test('a mirror 404 ends the task with the HTTP error shown, not hidden', { timeout: 20_000 }, async () => {
  const c = client({ url: http.apiUrl, auth: rootToken });
  const result = await waitForTask(c, await c.downloadUrl('pve', 'local', { url: `${http.mirrorUrl}missing.iso`, filename: 'missing.iso' }));
  assert.equal(result.ok, false);
  const err = taskError(result);
  assert.match(err.message, /TASK ERROR: download failed/);
  assert.equal(err.code, 'E_TASK_HTTP');
  assert.match(err.hint ?? '', /HTTP 404/);
});

test('ticket renewal: renewed before expiry by posting the ticket, no 401 on the way', { timeout: 20_000 }, async () => {
  const s = await startSimulator({ ...config, ticketLifetime: 3 });
  try {
    const { logger, lines } = capture();
    const c = client({ url: s.apiUrl, auth: { kind: 'password', username: 'root@pam', password: ROOT_PW } }, { logger, ticketRenewAfterMs: 500 });
    await c.version();
    await new Promise((r) => setTimeout(r, 700));
    await c.version();
    await c.storages('pve');
    await flush();
    const text = lines.join('\n');
    assert.equal(text.match(/POST \/access\/ticket 200/g)?.length, 2, text);
    assert.doesNotMatch(text, / 401 /);
  } finally {
    await s.stop();
  }
});

test('an expired ticket is replaced by logging in again once (401 then retry)', { timeout: 20_000 }, async () => {
  const s = await startSimulator({ ...config, ticketLifetime: 2 });
  try {
    const { logger, lines } = capture();
    const c = client({ url: s.apiUrl, auth: { kind: 'password', username: 'root@pam', password: ROOT_PW } }, { logger });
    await c.version();
    await new Promise((r) => setTimeout(r, 2_100));
    assert.match((await c.version()).version, /\d/);
    await flush();
    const text = lines.join('\n');
    assert.match(text, /GET \/version 401/);
    assert.equal(text.match(/POST \/access\/ticket 200/g)?.length, 2, text);
  } finally {
    await s.stop();
  }
});

test('wrong password and wrong token are typed auth errors with the fix', { timeout: 20_000 }, async () => {
  const pw = client({ url: http.apiUrl, auth: { kind: 'password', username: 'root@pam', password: 'nope-nope' } });
  await assert.rejects(pw.version(), (e: unknown) => e instanceof ProxmoxError && e.code === 'E_PVE_AUTH' && e.status === 401 && /root@pam/.test(e.message) && /realm/.test(e.hint ?? ''));
  const tok = client({ url: http.apiUrl, auth: { kind: 'token', tokenId: 'root@pam!hclx', secret: 'wrong-secret' } });
  await assert.rejects(tok.nodes(), (e: unknown) => e instanceof ProxmoxError && e.code === 'E_PVE_AUTH' && /API token 'root@pam!hclx'/.test(e.message) && !e.describe().includes('wrong-secret'));
});

test('missing privileges: the 403 names privilege and path, the hint gives the least-privilege grant', { timeout: 20_000 }, async () => {
  const s = await startSimulator({ ...config, acls: [{ path: '/', ugid: 'root@pam', privs: ['Datastore.AllocateTemplate', 'Datastore.Audit', 'Sys.AccessNetwork', 'Sys.Audit', 'Sys.Modify'] }, { path: '/storage/local', ugid: 'ci@pve!limited', privs: ['Datastore.Audit'] }] });
  try {
    const c = client({ url: s.apiUrl, auth: { kind: 'token', tokenId: 'ci@pve!limited', secret: LIMITED_TOKEN } });
    await assert.rejects(
      c.downloadUrl('pve', 'local', { url: `${s.mirrorUrl}tiny.iso`, filename: 'tiny.iso' }),
      (e: unknown) =>
        e instanceof ProxmoxError &&
        e.code === 'E_PVE_PERMISSION' &&
        e.status === 403 &&
        /Datastore\.AllocateTemplate on \/storage\/local/.test(e.message) &&
        (e.hint ?? '').includes(`pveum acl modify /storage/local --tokens 'ci@pve!limited' --roles HclxDownload`) &&
        (e.hint ?? '').includes('pveum role add HclxDownload --privs "Datastore.AllocateTemplate Datastore.Audit Sys.AccessNetwork"'),
    );
  } finally {
    await s.stop();
  }
});

test('storage not found and local-lvm: the error lists the storages on the node that take ISOs', { timeout: 20_000 }, async () => {
  const c = client({ url: http.apiUrl, auth: rootToken });
  const p = { url: `${http.mirrorUrl}tiny.iso`, filename: 'tiny.iso' };
  await assert.rejects(c.downloadUrl('pve', 'xyz', p), (e: unknown) => e instanceof ProxmoxError && e.code === 'E_PVE_STORAGE_NOT_FOUND' && /'xyz' not found/.test(e.message) && /accept ISOs: (isos \(nfs\), local \(dir\)|local \(dir\), isos \(nfs\))/.test(e.hint ?? ''));
  await assert.rejects(c.downloadUrl('pve', 'local-lvm', p), (e: unknown) => e instanceof ProxmoxError && e.code === 'E_PVE_STORAGE_NOT_FILE_BASED' && /lvmthin/.test(e.message) && /local \(dir\)/.test(e.hint ?? ''));
  await assert.rejects(c.downloadUrl('pve', 'backups', p), (e: unknown) => e instanceof ProxmoxError && e.code === 'E_PVE_STORAGE_NO_ISO' && /local \(dir\)/.test(e.hint ?? ''));
  await assert.rejects(c.storages('pve9'), (e: unknown) => e instanceof ProxmoxError && e.code === 'E_PVE_NODE_NOT_FOUND' && /Nodes in this cluster: pve\./.test(e.hint ?? ''));
});

test('TLS: refused by default with the fix, accepted with the CA file, NODE_EXTRA_CA_CERTS or insecure', { timeout: 20_000 }, async () => {
  assert.ok(https.caFile && https.apiUrl.startsWith('https://'));
  await assert.rejects(
    client({ url: https.apiUrl, auth: rootToken }).version(),
    (e: unknown) => e instanceof NetworkError && e.code === 'E_NET_TLS' && e.message.includes(https.apiUrl) && /--ca-file/.test(e.hint ?? '') && /insecure_skip_tls_verify/.test(e.hint ?? ''),
  );
  assert.match((await client({ url: https.apiUrl, auth: rootToken, caFile: https.caFile! }).version()).version, /\d/);
  assert.match((await client({ url: https.apiUrl, auth: rootToken }, { env: { NODE_EXTRA_CA_CERTS: https.caFile! } }).version()).version, /\d/);
  assert.match((await client({ url: https.apiUrl, auth: rootToken, insecureSkipTlsVerify: true }).version()).version, /\d/);
  // ticket auth over HTTPS too
  assert.ok((await client({ url: https.apiUrl, auth: { kind: 'password', username: 'root@pam', password: ROOT_PW }, caFile: https.caFile! }).nodes()).length === 1);
});

test('a 5xx burst is ridden out by the retry policy; POSTs are not retried', { timeout: 20_000 }, async () => {
  const { logger, lines } = capture();
  const c = client({ url: http.apiUrl, auth: rootToken }, { logger });
  http.addFault('api-error:status=503,count=3,path=/version');
  try {
    assert.match((await c.version()).version, /\d/);
  } finally {
    http.clearFaults();
  }
  await flush();
  assert.equal(lines.filter((l) => /GET \/version 503/.test(l)).length, 3, lines.join('\n'));
  http.addFault('api-error:status=500,count=1,path=download-url');
  try {
    await assert.rejects(c.downloadUrl('pve', 'local', { url: `${http.mirrorUrl}tiny.iso`, filename: 'tiny.iso' }), (e: unknown) => e instanceof ProxmoxError && e.status === 500);
  } finally {
    http.clearFaults();
  }
});

test('connection refused names the URL', { timeout: 20_000 }, async () => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const url = `https://127.0.0.1:${port}/api2/json`;
  await assert.rejects(
    client({ url, auth: rootToken }, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, maxTotalMs: 1000 } }).version(),
    (e: unknown) => e instanceof NetworkError && e.code === 'E_NET_REFUSED' && e.message.includes(`${url}/version`),
  );
});

test('a hanging task is stopped and waited for; nothing keeps running', { timeout: 30_000 }, async () => {
  const c = client({ url: http.apiUrl, auth: rootToken });
  http.addFault('task-hang:type=download,count=1');
  try {
    const upid = await c.downloadUrl('pve', 'local', { url: `${http.mirrorUrl}tiny.iso`, filename: 'hang.iso' });
    const tasks = await c.tasks('pve', { typefilter: 'download', source: 'active' });
    assert.ok(tasks.some((t) => t.upid === upid));
    const status = await c.taskStatus(upid);
    assert.equal(status.status, 'running');
    const result = await stopTaskAndWait(c, upid);
    assert.equal(result.ok, false);
    assert.deepEqual(http.runningTasks(), []);
    assert.equal(existsSync(`${http.isoDir('local')}/hang.iso`), false);
  } finally {
    http.clearFaults();
  }
});

test('waitForTask stops waiting when the signal aborts', { timeout: 20_000 }, async () => {
  const c = client({ url: http.apiUrl, auth: rootToken });
  http.addFault('task-hang:type=download,count=1');
  try {
    const upid = await c.downloadUrl('pve', 'local', { url: `${http.mirrorUrl}tiny.iso`, filename: 'abort.iso' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('interrupted by test')), 300);
    await assert.rejects(waitForTask(c, upid, { signal: ac.signal }), /interrupted by test/);
    await stopTaskAndWait(c, upid);
  } finally {
    http.clearFaults();
  }
});

/** A forward proxy on loopback: plain requests are relayed, CONNECT is tunnelled; it records what it saw. */
async function startProxy(): Promise<{ url: string; seen: string[]; server: Server; tunnels: Set<Socket> }> {
  const seen: string[] = [];
  const tunnels = new Set<Socket>();
  const server = createHttpServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const up = httpRequest({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on('connect', (req, socket: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    tunnels.add(socket);
    const [host, port] = (req.url ?? '').split(':');
    const up = tcpConnect(Number(port), host!, () => {
      tunnels.add(up);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen, server, tunnels };
}

test('HTTP_PROXY / HTTPS_PROXY are used (CONNECT tunnel with the CA file for HTTPS), NO_PROXY bypasses them', { timeout: 20_000 }, async () => {
  const proxy = await startProxy();
  try {
    const viaHttp = client({ url: http.apiUrl, auth: rootToken }, { env: { HTTP_PROXY: proxy.url } });
    assert.deepEqual((await viaHttp.nodes()).map((n) => n.node), ['pve']);
    const httpHost = new URL(http.apiUrl).host;
    // undici either relays plain HTTP through the proxy or tunnels it; both go through the proxy
    assert.ok(proxy.seen.some((l) => l === `GET ${http.apiUrl}/nodes` || l === `CONNECT ${httpHost}`), proxy.seen.join(' '));
    const viaTunnel = client({ url: https.apiUrl, auth: rootToken, caFile: https.caFile! }, { env: { HTTPS_PROXY: proxy.url } });
    assert.match((await viaTunnel.version()).version, /\d/);
    assert.ok(proxy.seen.some((l) => l === `CONNECT ${new URL(https.apiUrl).host}`), proxy.seen.join(' '));
    const before = proxy.seen.length;
    const bypass = client({ url: http.apiUrl, auth: rootToken }, { env: { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } });
    await bypass.version();
    assert.equal(proxy.seen.length, before, 'NO_PROXY host went direct');
  } finally {
    for (const sock of proxy.tunnels) sock.destroy();
    proxy.server.closeAllConnections();
    await new Promise((r) => proxy.server.close(r));
  }
});
