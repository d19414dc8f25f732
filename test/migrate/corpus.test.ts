// Every corpus template tagged legacy_iso_file / legacy_iso_url, migrated with --write on a copy:
// the output re-parses, only ISO-related lines change, a second run has nothing to do, and every
// ISO that was an iso_file reference still resolves to the same volume id. Repositories with git
// symlinks run a second time from a layout where those are real symbolic links (as CI has them).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { diffLines } from 'diff';
import { runMigrate } from '../../src/migrate/run.js';
import { loadForMigration } from '../../src/migrate/load.js';
import { migrationNeeded, planMigration } from '../../src/migrate/plan.js';
import { loadUrlMap } from '../../src/migrate/url-map.js';
import { extractIsoSpecs } from '../../src/template/extract.js';
import type { IsoSpec } from '../../src/template/iso-spec.js';
import { normalizeFilename, urlFileName } from '../../src/resolve/names.js';
import { TemplateError } from '../../src/errors.js';
import { CORPUS, copyTree, realSymlinkCorpus, reposWithSymlinks, sharedSkip } from '../support/shared.js';
const URL_MAP = new URL('../../fixtures/migrate/url-map/corpus.yaml', import.meta.url).pathname;

interface Case {
  repo: string;
  /** Template argument relative to the repository root. */
  template: string;
  vars: Array<[string, string]>;
  varFiles: string[];
}

/** Extra inputs some templates need to have values for their ISO settings. */
const INPUTS: Record<string, Partial<Case>> = {
  'marcinbojko__proxmox-kvm-packer/proxmox': { template: 'proxmox/proxmox_windows.pkr.hcl', varFiles: ['proxmox/variables_windows2022-dc.pkvars.hcl'] },
  'sneakyb1t__packer-proxmox/rhel/9.3': { vars: [['proxmox_iso_storage', 'local']] },
  'sneakyb1t__packer-proxmox/rhel/8.9': { vars: [['proxmox_iso_storage', 'local']] },
  'mirceanton__packer-proxmox_truenas': { vars: [['iso_file', 'local:iso/TrueNAS-13.0-U1.iso']] },
};

function cases(): Case[] {
  const out = new Map<string, Case>();
  for (const line of readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1)) {
    const [repo, , path, , tags] = line.split('\t');
    if (!repo || !path || !tags) continue;
    const t = tags.split(',');
    if (!t.includes('legacy_iso_file') && !t.includes('legacy_iso_url')) continue;
    const dir = repo.replace('/', '__');
    const template = t.includes('directory') ? dirname(path) : path;
    const key = `${dir}/${template}`.replace(/\/\.$/, '');
    out.set(key, { repo: dir, template, vars: [], varFiles: [], ...INPUTS[key] });
  }
  return [...out.values()];
}

function sink(): PassThrough & { text(): string } {
  const s = new PassThrough() as PassThrough & { text(): string };
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  s.text = () => Buffer.concat(chunks).toString('utf8');
  return s;
}

function filesUnder(dir: string, depth = 0): string[] {
  if (depth > 12) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p, depth + 1) : [p];
  });
}

function specKey(s: IsoSpec): string {
  const kind = s.kind === 'top-level' ? 'boot_iso' : s.kind;
  return `${s.source.type}.${s.source.name}/${s.source.overrideName ?? ''}/${kind}#${s.index}`;
}

/** The volume id a spec attaches: its iso_file, or what the node's download will be stored as. */
function volidOf(s: IsoSpec): string | undefined {
  const file = s.fields.iso_file?.value;
  if (typeof file === 'string') return file;
  const pool = s.fields.iso_storage_pool?.value;
  const url = s.fields.iso_url?.value;
  if (s.fields.iso_download_pve?.value === true && typeof pool === 'string' && typeof url === 'string') return `${pool}:iso/${normalizeFilename(urlFileName(url))}`;
  return undefined;
}

async function specs(root: string, c: Case): Promise<IsoSpec[]> {
  const loaded = await loadForMigration(c.template, { cwd: root, env: {}, vars: c.vars, varFiles: c.varFiles });
  return extractIsoSpecs(loaded.template, loaded.context);
}

const ISO_LINE = /iso_|unmount|device|boot_iso|additional_iso_files|version|^\s*(#|\/\/)|^\s*}\s*$/;

describe('corpus templates tagged legacy_iso_file / legacy_iso_url', { skip: sharedSkip() }, () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'hclx-migrate-corpus-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const all = cases();
  it('covers every tagged template', () => {
    assert.ok(all.length >= 20, `only ${all.length} cases`);
  });
  const linked = reposWithSymlinks();
  const runs = [
    ...all.map((c) => ({ c, from: CORPUS, label: '' })),
    ...all.filter((c) => linked.has(c.repo)).map((c) => ({ c, from: realSymlinkCorpus(), label: ' (real symlinks)' })),
  ];
  it('runs the repositories with git symlinks with real ones too', () => {
    assert.ok(runs.some((r) => r.label !== '' && r.c.repo === 'trfore__packer-proxmox-templates'));
  });

  runs.forEach(({ c, from, label }, n) => {
    it(`${c.repo}/${c.template}${label}`, async () => {
      // A fresh copy per case (links stay links): one case's --write must not meet another's files.
      const root = join(work, String(n), c.repo);
      copyTree(join(from, c.repo), root);
      const originals = new Map(filesUnder(root).map((f) => [f, readFileSync(f, 'utf8')]));
      const out = sink();
      const err = sink();
      const req = { template: c.template, cwd: root, env: {}, vars: c.vars, varFiles: c.varFiles, urlMap: URL_MAP, backupSuffix: '.bak', stdout: out, stderr: err };
      if (c.template.endsWith('.json') && /"builders"/.test(originals.get(join(root, c.template)) ?? '')) {
        // Legacy JSON templates: Packer's own hcl2_upgrade comes first; migrate says so and changes nothing.
        await assert.rejects(runMigrate({ ...req, mode: 'write' }), (e: unknown) => e instanceof TemplateError && /hcl2_upgrade/.test(e.describe()));
        for (const [f, text] of originals) assert.equal(readFileSync(f, 'utf8'), text);
        return;
      }
      const beforeSpecs = await specs(root, c);
      const code = await runMigrate({ ...req, mode: 'write' });
      assert.equal(code, 0, err.text());

      // Only files migrate wrote changed; each has a backup holding the original bytes.
      const written = [...err.text().matchAll(/^hclx: wrote (.+) \(backup: (.+)\)$/gm)];
      for (const [f, text] of originals) {
        const now = readFileSync(f, 'utf8');
        if (now === text) continue;
        assert.equal(readFileSync(f + '.bak', 'utf8'), text, `${relative(root, f)} has no faithful backup`);
        // Every removed or rewritten line is an ISO setting, its comment, a brace or the plugin version.
        for (const part of diffLines(text, now)) {
          if (!part.removed) continue;
          for (const line of part.value.split('\n').filter((l) => l.trim() !== '')) assert.match(line, ISO_LINE, `${relative(root, f)}: unexpected change of ${JSON.stringify(line)}`);
        }
      }
      assert.equal(written.length, [...originals].filter(([f, t]) => readFileSync(f, 'utf8') !== t).length);

      // The result loads (re-parses) and a second run has nothing left to do.
      const again = await loadForMigration(c.template, { cwd: root, env: {}, vars: c.vars, varFiles: c.varFiles });
      assert.equal(migrationNeeded(planMigration(again.view, { urlMap: await loadUrlMap(URL_MAP) })), false, 'a second migration still finds changes');

      // Every iso_file reference resolves to the same volume id as before.
      const afterSpecs = new Map((await specs(root, c)).map((s) => [specKey(s), s]));
      for (const s of beforeSpecs) {
        const original = s.fields.iso_file?.value;
        if (typeof original !== 'string') continue;
        const now = afterSpecs.get(specKey(s));
        assert.ok(now, `${specKey(s)} disappeared`);
        assert.equal(volidOf(now), original, `${specKey(s)} no longer attaches ${original}`);
      }
    });
  });

  it('maps the corpus iso_file references the catalogue or the url-map know (not just leaves them)', async () => {
    const root = join(work, 'count');
    copyTree(join(CORPUS, 'loganmancuso__proxmox_packer-vm-templates'), root);
    const err = sink();
    await runMigrate({ template: 'templates/jammy-2204/main.pkr.hcl', mode: 'check', cwd: root, env: {}, vars: [], varFiles: [], backupSuffix: '.bak', stdout: sink(), stderr: err });
    assert.match(err.text(), /iso_file local:iso\/ubuntu-22\.04\.3-live-server-amd64\.iso → downloaded by the Proxmox node from https:\/\/old-releases\.ubuntu\.com\/releases\/22\.04\.3\/ubuntu-22\.04\.3-live-server-amd64\.iso/);
  });
});
