// hclx ships the HCL grammar's .wasm in vendor/ (the grammar package is a dev dependency only): the
// copy must be the installed package's file, byte for byte, with its licence beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GRAMMAR_WASM, initHclParser } from '../../src/hcl/cst.js';
import { parseFile } from '../../src/hcl/parse.js';

const require = createRequire(import.meta.url);

test('the vendored grammar is the dev dependency\'s tree-sitter-hcl.wasm, with its licence (run `npm run vendor-grammar` after updating it)', () => {
  const pkgDir = dirname(require.resolve('@tree-sitter-grammars/tree-sitter-hcl/package.json'));
  assert.ok(readFileSync(GRAMMAR_WASM).equals(readFileSync(join(pkgDir, 'tree-sitter-hcl.wasm'))), `${GRAMMAR_WASM} differs from ${pkgDir}`);
  assert.ok(readFileSync(join(dirname(GRAMMAR_WASM), 'LICENSE'), 'utf8').includes('Apache License'));
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  assert.match(readFileSync(join(dirname(GRAMMAR_WASM), 'README.md'), 'utf8'), new RegExp(`tree-sitter-hcl\` ${version.replace(/\./g, '\\.')} `));
});

test('the parser loads the vendored grammar and parses with it', async () => {
  assert.ok(existsSync(GRAMMAR_WASM));
  await initHclParser();
  const file = await parseFile({ path: '/t/a.pkr.hcl', displayPath: 'a.pkr.hcl', text: 'source "null" "x" {\n  communicator = "none"\n}\n' });
  assert.ok(file.body);
});

test('the grammar package is not a runtime dependency, and the packed files include vendor/', () => {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; files: string[] };
  assert.equal(pkg.dependencies['@tree-sitter-grammars/tree-sitter-hcl'], undefined);
  assert.ok(pkg.devDependencies['@tree-sitter-grammars/tree-sitter-hcl']);
  assert.ok(pkg.files.includes('vendor'));
});
