// Makes `npm test` and `npm run demo` work on a fresh clone: installs dependencies when
// node_modules is missing, then compiles src/ to dist/ and bundles the CLI into dist/bundle/ (what
// bin/hclx.mjs, the tests and the demo run).
// Type errors do not stop the build here (tsc still emits); `npm run typecheck` is the gate.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/.package-lock.json')) {
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}
const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (build.status !== 0) {
  process.stderr.write(build.stdout);
  process.stderr.write('ensure-ready: tsc reported type errors (see above); dist/ was still written. Run `npm run typecheck`.\n');
}
const bundle = spawnSync(process.execPath, ['scripts/bundle.mjs'], { stdio: 'inherit' });
if (bundle.status !== 0) process.exit(bundle.status ?? 1);
