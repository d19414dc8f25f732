// Bundles hclx's own modules into dist/bundle/ (run by `npm run build` after tsc): one entry
// (hclx.js) plus one file per lazily loaded part (a command, the download engine, the simulator),
// split where src/ imports dynamically, so each command still loads only what its path needs.
// npm packages stay outside the bundle and load from node_modules as before. Why: Node 20 resolves,
// reads and compiles every ES module file separately; ~90 files of hclx's own for `render` cost
// ~20 ms of every start (bench/README.md, benchmark 5). bin/hclx.mjs runs the bundle.
// The bundle sits two directories below the package root, like dist/<folder>/, so the paths
// modules compute from import.meta.url (vendor/, examples/) resolve the same from src/, dist/ and
// dist/bundle/.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { hclx: 'src/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: '[name]-[hash]',
  logLevel: 'warning',
  legalComments: 'none',
});
