// Makes `npm test` and `npm run demo` work on a fresh clone: installs dependencies when
// node_modules is missing, then compiles src/ to dist/ (the CLI that tests and the demo run).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
if (!existsSync('node_modules/.package-lock.json')) run('npm', ['ci', '--no-audit', '--no-fund']);
run('npx', ['tsc', '-p', 'tsconfig.build.json']);
