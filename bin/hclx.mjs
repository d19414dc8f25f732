#!/usr/bin/env node
// hclx entry point: runs the bundled CLI (`npm run build` writes dist/bundle/: tsc, then scripts/bundle.mjs).
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { fileURLToPath } from 'node:url';

// Node >= 22.1 can keep V8's compiled code of these modules on disk (in the OS temp dir) for the next
// start. Optional: Node 20 has no such cache, and hclx does not depend on it.
try {
  nodeModule.enableCompileCache?.();
} catch {
  // A cache that cannot be used is only a slower start.
}

const main = new URL('../dist/bundle/hclx.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('hclx: the compiled CLI is missing (dist/bundle/hclx.js). Run `npm run build` in the hclx checkout first.\n');
  process.exit(2);
}
await import(main.href);
