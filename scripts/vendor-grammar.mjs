// Copies the HCL grammar's WebAssembly build (and its licence) from the dev dependency
// @tree-sitter-grammars/tree-sitter-hcl into vendor/tree-sitter-hcl/, where src/hcl/cst.ts loads it.
// hclx ships the .wasm file itself, so installing hclx never installs the grammar package, whose
// install script builds a native Node binding with node-gyp that hclx does not use.
// Run after changing the grammar package's version: `npm run vendor-grammar`. A test
// (test/hcl/vendored-grammar.test.ts) fails while the copy differs from the installed package.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(root, 'package.json'));
const pkgDir = dirname(require.resolve('@tree-sitter-grammars/tree-sitter-hcl/package.json'));
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const out = join(root, 'vendor', 'tree-sitter-hcl');
mkdirSync(out, { recursive: true });
copyFileSync(join(pkgDir, 'tree-sitter-hcl.wasm'), join(out, 'tree-sitter-hcl.wasm'));
copyFileSync(join(pkgDir, 'LICENSE'), join(out, 'LICENSE'));
writeFileSync(
  join(out, 'README.md'),
  [
    '# tree-sitter-hcl (WebAssembly build)',
    '',
    `\`tree-sitter-hcl.wasm\` is the file of the same name from the npm package`,
    `\`${pkg.name}\` ${pkg.version} (${pkg.repository}), unchanged; licence: ${pkg.license}, see \`LICENSE\`.`,
    'hclx loads it with web-tree-sitter (src/hcl/cst.ts). Written by `npm run vendor-grammar`',
    '(scripts/vendor-grammar.mjs); do not edit by hand.',
    '',
  ].join('\n'),
);
process.stdout.write(`vendored ${pkg.name} ${pkg.version} into ${out}\n`);
