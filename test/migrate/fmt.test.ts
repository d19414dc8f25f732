// What migrate writes is `packer fmt`-clean where the original was: checked with the real
// `packer fmt -check` (Debian's packer 1.6.6; skipped outside CI when it is missing).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packerFmtProblems, toolSkip } from '../support/tools.js';

const FIX = new URL('../../fixtures/migrate/', import.meta.url).pathname;

describe('packer fmt on migrated fixtures', { skip: toolSkip('packer', 'checking that migrated templates are packer fmt-clean') }, () => {
  const fixtures = readdirSync(FIX).filter((d) => existsSync(join(FIX, d, 'after.pkr.hcl')));

  it("the seed examples are formatted before and after (the seed's after must come out exactly)", () => {
    for (const name of ['seed', 'seed-pinned']) {
      for (const side of ['before', 'after']) assert.equal(packerFmtProblems(readFileSync(join(FIX, name, `${side}.pkr.hcl`), 'utf8')), undefined, `${name}/${side}`);
    }
  });

  for (const name of fixtures) {
    it(`${name}: packer fmt finds nothing to change in what migrate wrote`, () => {
      const before = readFileSync(join(FIX, name, 'before.pkr.hcl'), 'utf8');
      const problems = packerFmtProblems(readFileSync(join(FIX, name, 'after.pkr.hcl'), 'utf8'));
      if (packerFmtProblems(before) === undefined) {
        assert.equal(problems, undefined);
        return;
      }
      // An unformatted original: every line packer fmt would still change is one the user wrote so.
      const original = new Set(before.split('\n'));
      const flagged = (problems ?? '').split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---')).map((l) => l.slice(1));
      for (const line of flagged) assert.ok(original.has(line), `packer fmt would change a line migrate wrote: ${JSON.stringify(line)}`);
    });
  }
});
