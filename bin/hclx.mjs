#!/usr/bin/env node
// hclx entry point: runs the compiled CLI (npm run build produces dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('hclx: the compiled CLI is missing (dist/cli/main.js). Run `npm run build` in the hclx checkout first.\n');
  process.exit(2);
}
await import(main.href);
