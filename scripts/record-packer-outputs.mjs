#!/usr/bin/env node
// Records what a real Packer prints for the cases hclx must understand (errors arrive on stdout),
// into fixtures/packer/recorded/<case>.json, plus which builds -only/-except select
// (filter-oracle.json). Re-record with: node scripts/record-packer-outputs.mjs [--packer PATH]
// Each case runs in fixtures/packer/templates so paths in the output are relative and stable.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const templates = join(root, 'fixtures/packer/templates');
const outDir = join(root, 'fixtures/packer/recorded');
const packerArg = process.argv.indexOf('--packer');
const packer = packerArg > 0 ? process.argv[packerArg + 1] : process.env.PACKER_BIN || 'packer';
// No update check (it would reach the network) and no debug log mixed into the output.
const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
delete env.PACKER_LOG;

/** Which Packer output each case captures; `args` are passed exactly as given. */
const CASES = [
  ['validate-ok', 'validate accepts a valid template (1.6.6 prints nothing)', ['validate', 'valid.pkr.hcl']],
  ['validate-ok-machine-readable', 'the same with -machine-readable', ['validate', '-machine-readable', 'valid.pkr.hcl']],
  ['validate-legacy-proxmox-ok', 'the legacy iso_file dialect hclx emits for 1.6.6 validates', ['validate', 'legacy-proxmox.pkr.hcl']],
  ['unknown-flag', 'a flag packer does not know', ['validate', '-bogus', 'valid.pkr.hcl']],
  ['flag-after-template', 'Go flag parsing stops at the template path', ['build', 'valid.pkr.hcl', '-var', 'greeting=hi']],
  ['no-template', 'no template argument', ['validate']],
  ['missing-template', 'a template path that does not exist', ['validate', 'missing.pkr.hcl']],
  ['syntax-error', 'an HCL syntax error: several diagnostics with source snippets', ['validate', 'syntax-error.pkr.hcl']],
  ['syntax-error-machine-readable', 'the same errors in machine-readable form', ['validate', '-machine-readable', 'syntax-error.pkr.hcl']],
  ['boot-iso-block', 'a boot_iso block (plugin >= 1.2) is unknown to 1.6.6', ['validate', 'boot-iso-block.pkr.hcl']],
  ['iso-download-pve', 'iso_download_pve (plugin >= 1.1.2) is unknown to 1.6.6', ['validate', 'iso-download-pve.pkr.hcl']],
  ['unset-variable', 'a variable without default and no value (no source position)', ['validate', 'unset-variable.pkr.hcl']],
  ['undeclared-var-flag', '-var for a variable the template does not declare', ['validate', '-var', 'nope=1', 'valid.pkr.hcl']],
  ['invalid-only-pattern', 'an -only glob gobwas/glob rejects', ['build', '-only=web.[', 'valid.pkr.hcl']],
  ['bad-on-error', 'an -on-error value outside the enum', ['build', '-on-error=nope', 'valid.pkr.hcl']],
  ['build-ok', 'a successful build with two sources', ['build', '-color=false', 'valid.pkr.hcl']],
  ['build-fails', 'a provisioner fails: packer build exits 1 (coloured output)', ['build', 'build-fails.pkr.hcl']],
  ['build-fails-machine-readable', 'the same failure in machine-readable form', ['build', '-machine-readable', 'build-fails.pkr.hcl']],
];

/** -only/-except values whose selection real Packer decides; the glob edge cases hclx mirrors. */
const FILTERS = [
  ...['web.*', '*.a', 'null.a', '*', '**', 'web.null.[ab]', 'web.null.[!a]', 'web.null.[a-b]', 'web.null.[!a-a]', 'web.null.db-?',
    '?????????', 'web.null.db[-]1', 'web.null.[^a]', 'web\\.null\\.a', 'web.null.a\\', '\\*', 'web.null.a}', 'web.null.a]',
    'web.null.!a', 'web.null.{a}', 'web.{null}.a', '{{web}}.null.a', '{web.null.a', '*.null.{a', 'web.null.{}', '{}web.null.a',
    '{web,x}.null.a', 'web.null.{a,b}', 'web.null.{a,{b,db-1}}', 'web.null.[--/]b', 'zzz', '',
    'web.null.[]', 'web.null.[!]', 'web.null.[a-b0-9]', 'web.null.[a-]', 'web.null.[b-a]', 'web.null.db[\\-]1', '[',
  ].map((only) => ({ only: [only], except: [] })),
  { only: ['web.null.a', 'null.a'], except: [] },
  { only: ['web.null.a,null.a'], except: [] },
  { only: [], except: ['web.*'] },
  { only: ['*'], except: ['web.*'] },
  { only: ['*.a'], except: ['null.*'] },
  { only: [], except: ['*.db-*', 'null.a'] },
  { only: [], except: ['[!'] },
];

function run(args) {
  const r = spawnSync(packer, args, { cwd: templates, env, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw new Error(`could not run ${packer}: ${r.error.message}`);
  return { exitCode: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

const version = run(['version']).stdout.match(/Packer v(\S+)/)?.[1];
if (!version) throw new Error(`could not read the version of ${packer}`);
mkdirSync(outDir, { recursive: true });
const cwd = relative(root, templates);
for (const [name, description, args] of CASES) {
  const result = run(args);
  const record = { case: name, description, packerVersion: version, provenance: `recorded from Packer ${version} by scripts/record-packer-outputs.mjs`, cwd, args, ...result };
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify(record, null, 2) + '\n');
  console.log(`${name}: exit ${result.exitCode}`);
}

const oracle = FILTERS.map(({ only, except }) => {
  const args = ['build', '-machine-readable', ...only.map((o) => `-only=${o}`), ...except.map((e) => `-except=${e}`), 'filter-builds.pkr.hcl'];
  const result = run(args);
  const lines = result.stdout.split('\n');
  // `<ts>,<build name>,artifact-count,1` is printed once for each build that ran.
  const selected = lines.map((l) => l.split(',')).filter((f) => f[2] === 'artifact-count').map((f) => f[1]).sort();
  const error = lines.filter((l) => l.split(',')[2] === 'ui' && l.split(',')[3] === 'error').map((l) => l.split(',').slice(4).join(','))[0];
  return { only, except, exitCode: result.exitCode, selected, ...(error ? { error } : {}) };
});
writeFileSync(
  join(outDir, 'filter-oracle.json'),
  JSON.stringify({ packerVersion: version, provenance: `recorded from Packer ${version} by scripts/record-packer-outputs.mjs`, template: `${cwd}/filter-builds.pkr.hcl`, buildNames: ['web.null.a', 'web.null.b', 'web.null.db-1', 'null.a'], cases: oracle }, null, 2) + '\n',
);
console.log(`filter-oracle: ${oracle.length} cases`);
