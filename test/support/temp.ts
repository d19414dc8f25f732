// Temporary directories for tests, removed when the test process exits (each test file runs in its
// own process). HCLX_KEEP_TEST_DIRS=1 keeps them for debugging.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];
let hooked = false;

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hclx-${prefix}-`));
  created.push(dir);
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      if (process.env.HCLX_KEEP_TEST_DIRS === '1') return;
      for (const d of created) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}
