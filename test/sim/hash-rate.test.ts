// `hashRate`: every node-side hash pass (the check of an existing file, the verification after a
// download, an upload's checksum) takes at least size / rate, as it does on a real node's disk.
// Only lower bounds are asserted: a loaded machine can make a pass slower, never faster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { startSimulator } from '../../src/sim/index.js';
import { api, login, request, waitTask } from './client.js';

const SIZE = 1024 * 1024;
const RATE = 4 * 1024 * 1024; // 1 MiB at 4 MiB/s: 250 ms per pass

test('with hashRate, the post-download verification and the existing-file check are paced', async () => {
  const sim = await startSimulator({ mirrorFiles: { 'paced.iso': SIZE }, hashRate: RATE });
  try {
    const s = await login(sim);
    const sha = (await request(`${sim.mirrorUrl}SHA256SUMS`)).body.split('\n').find((l) => l.endsWith('  paced.iso'))!.split(' ')[0]!;
    const params = { url: `${sim.mirrorUrl}paced.iso`, content: 'iso', filename: 'paced.iso', checksum: sha, 'checksum-algorithm': 'sha256' };
    for (const expected of ['calculating checksum...OK, checksum verified', 'calculating checksum of existing file...OK, got correct file already, no need to download']) {
      const started = Date.now();
      const t = await waitTask(sim, s, (await api(sim, s, 'POST', '/nodes/pve/storage/local/download-url', params)).json.data);
      const elapsed = Date.now() - started;
      assert.equal(t.exitstatus, 'OK');
      assert.ok(t.log.includes(expected), t.log.join('\n'));
      assert.ok(elapsed >= (SIZE / RATE) * 1000 - 20, `${expected}: ${elapsed} ms, expected at least 250 ms`);
    }
    assert.deepEqual([sim.stats().hashPasses, sim.stats().bytesHashed], [2, 2 * SIZE]);
  } finally {
    await sim.stop();
  }
});

test('a paced hash pass of an existing file is stopped promptly with the task', async () => {
  const sim = await startSimulator({ mirrorFiles: { 'slow.iso': SIZE }, hashRate: 64 * 1024 });
  try {
    const s = await login(sim);
    const sha = (await request(`${sim.mirrorUrl}SHA256SUMS`)).body.split('\n').find((l) => l.endsWith('  slow.iso'))!.split(' ')[0]!;
    // The generated file as the node would have it on disk (16 s to hash at 64 KiB/s).
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      get(`${sim.mirrorUrl}slow.iso`, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      }).on('error', reject);
    });
    assert.equal(createHash('sha256').update(bytes).digest('hex'), sha);
    writeFileSync(`${sim.isoDir('local')}/slow.iso`, bytes);
    const upid = (await api(sim, s, 'POST', '/nodes/pve/storage/local/download-url', { url: `${sim.mirrorUrl}slow.iso`, content: 'iso', filename: 'slow.iso', checksum: sha, 'checksum-algorithm': 'sha256' })).json.data;
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await api(sim, s, 'DELETE', `/nodes/pve/tasks/${encodeURIComponent(upid)}`);
    const t = await waitTask(sim, s, upid);
    assert.equal(t.exitstatus, 'received interrupt');
    assert.ok(Date.now() - started < 5000, 'stopped well before the 16 s pass would end');
  } finally {
    await sim.stop();
  }
});
