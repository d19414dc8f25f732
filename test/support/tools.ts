// External tools some tests need (Debian's packer 1.6.6 for `packer fmt -check`). Like ../shared:
// missing on a developer's machine, the test is skipped with the reason; missing in CI (CI=true,
// where .ci/run installs them), the test file fails.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '../../src/packer/locate.js';

/** False when `command` is on PATH; else the reason to skip (outside CI) or a thrown error (in CI). */
export function toolSkip(command: string, purpose: string): string | false {
  if (findOnPath(command, process.env, process.cwd())) return false;
  const reason = `${command} is not installed, and ${purpose} needs it`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI (.ci/run) installs it, so this run cannot be trusted without it.`);
  return `${reason}; skipped outside CI`;
}

/** What `packer fmt -check` says about native HCL text: undefined when it is formatted, else its diff. */
export function packerFmtProblems(text: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'hclx-fmt-'));
  try {
    const file = join(dir, 'check.pkr.hcl');
    writeFileSync(file, text);
    try {
      execFileSync('packer', ['fmt', '-check', file], { stdio: 'pipe', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
      return undefined;
    } catch {
      return execFileSync('packer', ['fmt', '-diff', '-write=false', file], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
