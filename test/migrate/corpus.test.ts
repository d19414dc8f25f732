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
import { literalText, templateParts } from '../../src/migrate/template-parts.js';
import { packerFmtProblems, toolSkip } from '../support/tools.js';
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
/** A line as packer fmt's alignment leaves it alone: one space around its `=`. */
const unaligned = (l: string) => l.replace(/^(\s*[\w"-]+)[ \t]+=[ \t]+/, '$1 = ').replace(/\r$/, '');
/** Files the --write runs changed, for the packer fmt check. */
const edited: Array<{ file: string; before: string; after: string }> = [];

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
        // Every removed or rewritten line is an ISO setting, its comment, a brace or the plugin
        // version, or a line whose `=` moved because the run of arguments it aligns with changed.
        const added = new Set(diffLines(text, now).filter((p) => p.added).flatMap((p) => p.value.split('\n').map(unaligned)));
        for (const part of diffLines(text, now)) {
          if (!part.removed) continue;
          for (const line of part.value.split('\n').filter((l) => l.trim() !== '')) {
            if (!ISO_LINE.test(line)) assert.ok(added.has(unaligned(line)), `${relative(root, f)}: unexpected change of ${JSON.stringify(line)}`);
          }
        }
        edited.push({ file: `${c.repo}/${relative(root, f)}`, before: text, after: now });
      }
      assert.equal(written.length, [...originals].filter(([f, t]) => readFileSync(f, 'utf8') !== t).length);

      // The result loads (re-parses) and a second run has nothing left to do.
      const again = await loadForMigration(c.template, { cwd: root, env: {}, vars: c.vars, varFiles: c.varFiles });
      assert.equal(migrationNeeded(planMigration(again.view, { urlMap: await loadUrlMap(URL_MAP) })), false, 'a second migration still finds changes');

      // Every iso_file reference resolves to the same volume id as before; one that was an
      // expression is downloaded from a URL that is an expression too, never today's value.
      const afterSpecs = new Map((await specs(root, c)).map((s) => [specKey(s), s]));
      for (const s of beforeSpecs) {
        const original = s.fields.iso_file?.value;
        if (typeof original !== 'string') continue;
        const now = afterSpecs.get(specKey(s));
        assert.ok(now, `${specKey(s)} disappeared`);
        assert.equal(volidOf(now), original, `${specKey(s)} no longer attaches ${original}`);
        const wasLiteral = literalText(templateParts(s.fields.iso_file!.attribute.expr) ?? [{ kind: 'interpolation', expression: '' }]) !== undefined;
        const url = now.fields.iso_url?.attribute.expr;
        if (!wasLiteral && url) assert.equal(literalText(templateParts(url) ?? [{ kind: 'interpolation', expression: '' }]), undefined, `${specKey(s)}: iso_file was an expression, iso_url is the literal ${url.text}`);
      }
    });
  });

  it('what migrate wrote is packer fmt-clean wherever the original was', { skip: toolSkip('packer', 'checking that migrated corpus files are packer fmt-clean') }, () => {
    assert.ok(edited.length >= 5, `only ${edited.length} edited files`);
    let clean = 0;
    for (const { file, before, after } of edited) {
      if (!file.endsWith('.pkr.hcl') || packerFmtProblems(before) !== undefined) continue;
      clean++;
      assert.equal(packerFmtProblems(after), undefined, file);
    }
    assert.ok(clean >= 3, `only ${clean} of the edited corpus files were formatted to begin with`);
  });

  it('maps the corpus iso_file references the catalogue or the url-map know (not just leaves them)', async () => {
    const root = join(work, 'count');
    copyTree(join(CORPUS, 'loganmancuso__proxmox_packer-vm-templates'), root);
    const err = sink();
    await runMigrate({ template: 'templates/jammy-2204/main.pkr.hcl', mode: 'check', cwd: root, env: {}, vars: [], varFiles: [], backupSuffix: '.bak', stdout: sink(), stderr: err });
    assert.match(err.text(), /iso_file local:iso\/ubuntu-22\.04\.3-live-server-amd64\.iso → downloaded by the Proxmox node from https:\/\/old-releases\.ubuntu\.com\/releases\/22\.04\.3\/ubuntu-22\.04\.3-live-server-amd64\.iso/);
  });
});
