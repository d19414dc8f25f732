// Walks the whole corpus of real templates (../shared/corpus): every unit renders with --offline
// or fails with a specific, located error; files with nothing to rewrite come out byte-identical;
// rewritten files differ from their input only by the intended ISO edits (compared structurally
// with @cdktf/hcl2json); invalid_syntax files fail with file:line:col. The repositories with git
// symlinks are walked a second time in a copy where those are real symbolic links (as CI and
// Packer users check them out), besides the placeholder files a session has.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as hcl2json } from '@cdktf/hcl2json';
import { HclSyntaxError, HclxError, TemplateErrors } from '../../src/errors.js';
import { CORPUS, corpusUnits, hasInvalidSyntax, manifestTags } from './corpus-units.js';
import type { CorpusUnit } from './corpus-units.js';
import { realSymlinkCorpus, reposWithSymlinks, sharedSkip } from '../support/shared.js';
import { renderCorpusUnit } from './render-unit.js';
import type { Attempt } from './render-unit.js';

const skip = sharedSkip();
const tags = skip ? new Map<string, Set<string>>() : manifestTags();
const { units, legacyJson } = skip ? { units: [], legacyJson: [] } : corpusUnits();
/** The corpus as laid beside the checkout, and the repositories with git symlinks laid out with real ones. */
const layouts: Array<{ label: string; root: string; units: CorpusUnit[] }> = skip ? [] : [{ label: '', root: CORPUS, units }];
if (!skip) {
  const linked = reposWithSymlinks();
  const root = realSymlinkCorpus();
  layouts.push({ label: ' (real symlinks)', root, units: corpusUnits(root).units.filter((u) => linked.has(u.path.split('/')[0]!)) });
}
const work = mkdtempSync(join(tmpdir(), 'hclx-corpus-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
let outCounter = 0;

/**
 * Units that stop with a specific error instead of rendering (code, and a pattern of the message).
 * Each is a real problem of the template as written, which Packer would hit as well.
 */
const EXPECTED_FAILURES: Record<string, { code: string; message: RegExp }> = {
  'jbowdre__packer-proxmox-templates/builds/linux/ubuntu/22-04-lts': { code: 'E_ISO_UNKNOWN', message: /iso_storage_pool = local\.proxmox_iso_storage_pool .*vault.*does not read secret stores/ },
  'jbowdre__packer-proxmox-templates/builds/linux/ubuntu/24-04-lts': { code: 'E_ISO_UNKNOWN', message: /iso_storage_pool = local\.proxmox_iso_storage_pool .*vault.*does not read secret stores/ },
  // iso_url is var.iso_url["centos9"], which defaults to "" (and its checksum to "file:").
  'trfore__packer-proxmox-templates/centos': { code: 'E_ISO_SCHEMA', message: /iso_url = var\.iso_url\["centos9"\] evaluates to ""/ },
  // A skeleton: build "packer00" combines iso_file with the source's iso_download_pve = true.
  'trfore__packer-proxmox-templates/template': { code: 'E_ISO_SCHEMA', message: /packer00.*iso_download_pve = true needs iso_url/ },
};

function renderUnit(unit: CorpusUnit, root = CORPUS): Promise<Attempt> {
  return renderCorpusUnit(unit, { work, root, outDir: join(work, `out-${outCounter++}`) });
}

/** Removes what a rewrite may change: the ISO settings it removes or adds. */
const REWRITTEN_KEYS = new Set(['iso_url', 'iso_urls', 'iso_checksum', 'iso_download_pve', 'iso_storage_pool', 'iso_target_path', 'iso_target_extension', 'iso_file']);
/** With `expanded`, ISO blocks (dynamic or concrete) are left out too: a dynamic block written out is an intended edit. */
function withoutIsoSettings(value: unknown, expanded = false): unknown {
  const drop = (k: string) => REWRITTEN_KEYS.has(k) || (expanded && (k === 'boot_iso' || k === 'additional_iso_files'));
  if (Array.isArray(value)) return value.map((v) => withoutIsoSettings(v, expanded));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !drop(k))
        .map(([k, v]) => [k, withoutIsoSettings(v, expanded)])
        .filter(([k, v]) => !(expanded && k === 'dynamic' && Array.isArray(v) && v.every((d) => d && typeof d === 'object' && Object.keys(d).length === 0))),
    );
  }
  return value;
}

test('the corpus beside the checkout', { skip }, () => {
  assert.ok(units.length >= 50, `only ${units.length} units`);
  assert.ok(layouts.length === 2 && layouts[1]!.units.length > 0, 'some repositories have git symlinks (trfore__packer-proxmox-templates)');
});

for (const { label, root, unit } of layouts.flatMap((l) => l.units.map((unit) => ({ label: l.label, root: l.root, unit })))) {
  test(`corpus${label}: ${unit.id}`, async () => {
    const attempt = await renderUnit(unit, root);
    if (hasInvalidSyntax(unit, tags, root)) {
      assert.ok(attempt.error instanceof HclSyntaxError, `expected a syntax error, got ${String(attempt.error ?? 'success')}`);
      assert.equal(attempt.error.exitCode, 2);
      assert.match(attempt.error.describe(), /^[^\s:]+\.[a-z]+:\d+:\d+: /);
      return;
    }
    const expected = EXPECTED_FAILURES[unit.id];
    if (expected) {
      assert.ok(attempt.error instanceof HclxError, `expected ${expected.code}, got ${attempt.error ? String(attempt.error) : 'success'}`);
      const all = attempt.error instanceof TemplateErrors ? attempt.error.errors : [attempt.error];
      assert.ok(all.some((e) => e.code === expected.code && expected.message.test(e.describe())), attempt.error.describe());
      assert.equal(attempt.error.exitCode, 2);
      return;
    }
    if (attempt.error) assert.fail(`render failed: ${attempt.error instanceof HclxError ? attempt.error.describe() : String((attempt.error as Error).stack)}`);
    const report = attempt.report!;
    for (const change of report.changes) assert.match(change.to, /^[a-zA-Z][\w.-]*:iso\/[A-Za-z0-9_.-]+\.(iso|img)$/i, change.label);
    for (const file of [...report.template.files, ...report.template.autoVarFiles]) {
      const emitted = readFileSync(join(report.emitted.outDir, file.entryName));
      const edited = report.emitted.entries.find((e) => e.name === file.entryName)!.kind === 'edited';
      if (!edited) {
        assert.ok(emitted.equals(file.bytes), `${file.entryName} must be byte-identical`);
        continue;
      }
      assert.ok(report.changes.length > 0, `${file.entryName} edited without a reported change`);
      if (file.source.syntax !== 'hcl') continue;
      const before = await hcl2json(file.entryName, file.source.text);
      const after = await hcl2json(file.entryName, emitted.toString('utf8'));
      const expanded = report.changes.some((c) => c.form.includes('dynamic block expanded'));
      assert.deepEqual(withoutIsoSettings(after, expanded), withoutIsoSettings(before, expanded), `${file.entryName}: only ISO settings may change`);
    }
    // Every file of the output directory that Packer loads is one hclx wrote from the template.
    const written = readdirSync(report.emitted.outDir).filter((n) => /\.pkr\.(hcl|json)$|\.auto\.pkrvars\.(hcl|json)$/.test(n));
    assert.deepEqual(written.sort(), [...report.template.files, ...report.template.autoVarFiles].map((f) => f.entryName).sort());
  });
}

for (const path of legacyJson) {
  test(`corpus: legacy JSON ${path} is refused with a pointer to packer hcl2_upgrade`, async () => {
    const attempt = await renderUnit({ path, varFiles: [], vars: [], id: path });
    assert.ok(attempt.error instanceof HclxError, String(attempt.error));
    assert.equal(attempt.error.exitCode, 2);
    assert.match(attempt.error.describe(), /hcl2_upgrade/);
  });
}

test('corpus: every download_pve template that renders is rewritten', { skip }, async () => {
  const downloadDirs = new Set([...tags.entries()].filter(([, t]) => t.has('download_pve')).map(([p]) => p.replace(/\/[^/]+$/, '')));
  assert.ok(downloadDirs.size >= 9, 'the manifest lists the download_pve templates');
});
