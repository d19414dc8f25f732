import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { packerBuildName, selectBuilds, splitFilterValues } from '../../src/packer/filter.js';

interface OracleCase {
  only: string[];
  except: string[];
  exitCode: number;
  selected: string[];
  error?: string;
}
const oracle = JSON.parse(readFileSync('fixtures/packer/recorded/filter-oracle.json', 'utf8')) as {
  packerVersion: string;
  buildNames: string[];
  cases: OracleCase[];
};

describe('packerBuildName', () => {
  it('prefixes the build name when the build block has one', () => {
    assert.equal(packerBuildName({ buildName: 'lab', sourceType: 'proxmox-iso', sourceName: 'ubuntu' }), 'lab.proxmox-iso.ubuntu');
  });
  it('is <type>.<name> for an unnamed build', () => {
    assert.equal(packerBuildName({ sourceType: 'proxmox-iso', sourceName: 'ubuntu' }), 'proxmox-iso.ubuntu');
    assert.equal(packerBuildName({ buildName: '', sourceType: 'null', sourceName: 'a' }), 'null.a');
  });
});

describe('splitFilterValues', () => {
  it('splits every value on every comma, as Go flag slices do', () => {
    assert.deepEqual(splitFilterValues(['a,b', 'c', '{x,y}']), ['a', 'b', 'c', '{x', 'y}']);
    assert.deepEqual(splitFilterValues(['']), ['']);
    assert.deepEqual(splitFilterValues([]), []);
  });
});

describe('selectBuilds', () => {
  const names = ['lab.proxmox-iso.ubuntu', 'lab.proxmox-iso.debian', 'proxmox-iso.windows'];
  it('keeps every build without -only/-except, in the given order', () => {
    assert.deepEqual(selectBuilds(names, [], []), names);
  });
  it('applies -except after -only', () => {
    assert.deepEqual(selectBuilds(names, ['lab.*'], ['*.debian']), ['lab.proxmox-iso.ubuntu']);
  });
  it('accepts repeated and comma-separated values', () => {
    assert.deepEqual(selectBuilds(names, ['*.windows', 'lab.proxmox-iso.ubuntu'], []), ['lab.proxmox-iso.ubuntu', 'proxmox-iso.windows']);
    assert.deepEqual(selectBuilds(names, ['*.windows,*.debian'], []), ['lab.proxmox-iso.debian', 'proxmox-iso.windows']);
  });
  it('throws a UsageError naming the flag and pattern Packer would reject', () => {
    assert.throws(
      () => selectBuilds(names, [], ['ok,[!']),
      (e: unknown) => e instanceof UsageError && /invalid -except pattern '\[!': unexpected end of input/.test(e.message) && e.exitCode === 2,
    );
  });

  describe(`agrees with real Packer ${oracle.packerVersion} (fixtures/packer/recorded/filter-oracle.json)`, () => {
    for (const c of oracle.cases) {
      const title = `-only=${JSON.stringify(c.only)} -except=${JSON.stringify(c.except)}`;
      it(title, () => {
        if (c.error) {
          assert.equal(c.exitCode, 1);
          // Packer's message: "Error: Invalid -only pattern P: REASON"; hclx reports the same reason.
          const reason = /pattern .*: (.*?)(?:\\n)*$/.exec(c.error)![1]!;
          assert.throws(
            () => selectBuilds(oracle.buildNames, c.only, c.except),
            (e: unknown) => e instanceof UsageError && e.message.includes(reason),
          );
        } else {
          assert.equal(c.exitCode, 0);
          assert.deepEqual([...selectBuilds(oracle.buildNames, c.only, c.except)].sort(), c.selected);
        }
      });
    }
  });
});
