// The dependency direction the code promises: CLI → core → adapters, and never back. Each folder of
// src/ has a layer; a module may import only from its own folder or from a lower layer. The test
// reads every import (static and dynamic) of every src/ module, so a new upward import fails here
// with the file and the line instead of surfacing later as a circular import.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(import.meta.dirname, '../src');

/** Higher numbers may import lower ones. Folders on the same rank may not import each other. */
const LAYER: Record<string, number> = {
  cli: 9,
  demo: 8,
  pipeline: 7,
  migrate: 6,
  provision: 6,
  emit: 5,
  rewrite: 5,
  template: 4,
  resolve: 3,
  hcl: 2,
  packer: 1,
  pve: 1,
  sim: 1,
  generated: 0, // build-time output (npm run schemas): validators, imported by template/ and migrate/
  '.': 0, // src/errors.ts, src/log.ts
};

function modules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? modules(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function folderOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes(sep) ? rel.split(sep)[0]! : '.';
}

interface Edge {
  from: string;
  line: number;
  to: string;
}

function importsOf(file: string): Edge[] {
  const text = readFileSync(file, 'utf8');
  const edges: Edge[] = [];
  const pattern = /(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g;
  for (const match of text.matchAll(pattern)) {
    const line = text.slice(0, match.index).split('\n').length;
    edges.push({ from: file, line, to: resolve(dirname(file), match[1]!) });
  }
  return edges;
}

const edges = modules(SRC).flatMap(importsOf);

test('every src/ folder has a layer', () => {
  const folders = new Set(modules(SRC).map(folderOf));
  for (const folder of folders) assert.ok(folder in LAYER, `src/${folder} has no layer in test/architecture.test.ts`);
});

test('imports go down the layers only: CLI → core → adapters', () => {
  const upward = edges
    .filter((e) => folderOf(e.from) !== folderOf(e.to))
    .filter((e) => LAYER[folderOf(e.to)]! >= LAYER[folderOf(e.from)]!)
    .map((e) => `${relative(SRC, e.from)}:${e.line} imports ${relative(SRC, e.to)}`);
  assert.deepEqual(upward, []);
});

test('nothing outside src/cli imports the CLI', () => {
  const intoCli = edges.filter((e) => folderOf(e.from) !== 'cli' && folderOf(e.to) === 'cli').map((e) => `${relative(SRC, e.from)}:${e.line}`);
  assert.deepEqual(intoCli, []);
});

test('the import scan sees imports (a guard against a pattern that matches nothing)', () => {
  assert.ok(edges.some((e) => folderOf(e.from) === 'pipeline' && folderOf(e.to) === 'packer'));
  assert.ok(edges.some((e) => folderOf(e.from) === 'cli' && folderOf(e.to) === 'demo'));
});
