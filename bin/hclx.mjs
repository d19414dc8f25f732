#!/usr/bin/env node
// hclx entry point: runs the bundled CLI (`npm run build` writes dist/bundle/: tsc, then scripts/bundle.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/bundle/hclx.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('hclx: the compiled CLI is missing (dist/bundle/hclx.js). Run `npm run build` in the hclx checkout first.\n');
  process.exit(2);
}
await import(main.href);
