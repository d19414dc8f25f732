// `hclx render --offline` of migrated templates attaches the volumes the originals referenced by iso_file.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { predictVolids, renderTemplate } from '../../src/pipeline/render.js';

const FIX = new URL('../../fixtures/migrate/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'hclx-migrate-render-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function renderedVolids(fixture: string): Promise<string[]> {
  const name = fixture.replace('/', '-');
  copyFileSync(FIX + fixture, join(work, name));
  const report = await renderTemplate({ templatePath: name, cwd: work, env: {}, varFiles: [], vars: [], target: 'auto', outDir: join(work, `out-${name}`), resolveVolids: predictVolids });
  return report.changes.map((c) => c.to);
}

describe('render --offline of migrated templates', () => {
  it('gives the seed examples their original volid back', async () => {
    assert.deepEqual(await renderedVolids('seed/after.pkr.hcl'), ['local:iso/ubuntu-24.04.3-live-server-amd64.iso']);
    assert.deepEqual(await renderedVolids('seed-pinned/after.pkr.hcl'), ['local:iso/ubuntu-24.04.3-live-server-amd64.iso']);
  });

  it('gives every mapped iso_file of the additional-ISO fixture its original volid back', async () => {
    const volids = await renderedVolids('additional/after.pkr.hcl');
    // (virtio-win-0.1.229.iso stays an iso_file reference: its volume id is a variable as a whole.)
    assert.ok(volids.includes('local:iso/SERVER_EVAL_x64FRE_en-us.iso'), volids.join(', '));
  });

  it('keeps variables working: the version variable picks the volid', async () => {
    assert.deepEqual(await renderedVolids('variables/after.pkr.hcl'), ['local:iso/ubuntu-24.04.3-live-server-amd64.iso']);
  });
});
