import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { raiseConstraint } from '../../src/migrate/version-constraint.js';

describe('raising the proxmox plugin constraint', () => {
  it('leaves constraints that already exclude older plugins alone', () => {
    assert.equal(raiseConstraint('>= 1.2.0', '1.2.0'), undefined);
    assert.equal(raiseConstraint('>= 1.2.4', '1.2.0'), undefined);
    assert.equal(raiseConstraint('~> 1.2', '1.2.0'), undefined);
    assert.equal(raiseConstraint('= 1.2.2', '1.1.7'), undefined);
    assert.equal(raiseConstraint('>= 1.1.7, < 2.0.0', '1.1.7'), undefined);
  });

  it('raises lower bounds from the corpus (">= 1.1.6", ">= 1.1.5")', () => {
    assert.equal(raiseConstraint('>= 1.1.6', '1.2.0'), '>= 1.2.0');
    assert.equal(raiseConstraint('>= 1.1.5', '1.1.7'), '>= 1.1.7');
    assert.equal(raiseConstraint('>= v1.0.0', '1.2.0'), '>= 1.2.0');
  });

  it('keeps the pessimistic style and upper bounds', () => {
    assert.equal(raiseConstraint('~> 1', '1.2.0'), '~> 1.2');
    assert.equal(raiseConstraint('~> 1.1', '1.2.0'), '~> 1.2');
    assert.equal(raiseConstraint('~> 1.1.8', '1.2.0'), '~> 1.2.0');
    assert.equal(raiseConstraint('>= 1.1.0, < 2.0.0', '1.2.0'), '>= 1.2.0, < 2.0.0');
  });

  it('replaces pins and bounds that exclude the needed version', () => {
    assert.equal(raiseConstraint('1.1.8', '1.2.0'), '>= 1.2.0');
    assert.equal(raiseConstraint('>= 1.0.0, < 1.2.0', '1.2.0'), '>= 1.2.0');
    assert.equal(raiseConstraint('~> 0.3', '1.2.0'), '>= 1.2.0');
  });

  it('replaces what it cannot read with the minimum', () => {
    assert.equal(raiseConstraint('latest', '1.2.0'), '>= 1.2.0');
  });
});
