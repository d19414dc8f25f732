// The corpus as hclx build hands it to modern Packer: every unit that renders is rendered with
// --target auto as build decides it with that Packer (the built plugin's version where
// required_plugins leaves the dialect open), then `packer validate` (modern Packer and the real
// plugin from `npm run tools`) runs on the template as written and on the rendering, with the same
// variables. Real templates carry their own problems for a given plugin (blocks it does not know,
// provisioners from other plugins, invalid names), so the check is differential: the rendering may
// have no error the template as written does not have, none about ISO settings, and the errors
// hclx exists to remove (iso_download_pve unknown to the plugin) must be gone. Units whose
// required_plugins does not admit the built plugin, or whose dialect needs a newer plugin, are
// skipped with that reason; the corpus walk (corpus.test.ts) covers the rendering itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePackerErrors } from '../../src/packer/errors.js';
import { modernPacker, packerValidate, pluginRefusedBy, skipWithoutModernPacker } from '../support/modern-packer.js';
import { sharedSkip } from '../support/shared.js';
import { CORPUS, corpusUnits } from './corpus-units.js';
import { renderCorpusUnit } from './render-unit.js';

const skip = sharedSkip() || skipWithoutModernPacker();
const work = mkdtempSync(join(tmpdir(), 'hclx-corpus-validate-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
let outCounter = 0;

/** Packer's errors as comparable text: summary and detail, without the file and line. */
function errorsOf(output: string): Set<string> {
  return new Set(parsePackerErrors(output).filter((d) => d.severity === 'error').map((d) => `${d.summary}: ${d.detail}`.replace(/\s+/g, ' ').trim()));
}

const units = skip ? [] : corpusUnits().units;
/** Per validated unit: Packer's error count before and after, and how many ISOs hclx rewrote. */
const outcomes = new Map<string, { before: number; after: number; changes: number }>();
for (const unit of units) {
  test(`corpus, packer validate with modern Packer: ${unit.id}`, { skip }, async (t) => {
    const tools = modernPacker();
    const { report, vars } = await renderCorpusUnit(unit, { work, outDir: join(work, `out-${outCounter++}`), installedPlugins: async () => [tools.pluginVersion] });
    if (!report) return t.skip('does not render (corpus.test.ts checks its error)');
    const refused = pluginRefusedBy(report.template, tools);
    if (refused) return t.skip(refused);
    if (report.dialect.dialect === 'modern' && !tools.modernPlugin) return t.skip(`rendered in the modern dialect (${report.dialect.reason}), which needs plugin >= 1.2.0; ${tools.manifest.pluginV12.reason ?? ''}`);
    const rendered = report.template.mode === 'directory' ? report.emitted.outDir : join(report.emitted.outDir, report.template.files[0]!.entryName);
    const args = [...unit.varFiles.map((f) => `-var-file=${f}`), ...vars.map(([n, v]) => `-var=${n}=${v}`)];
    const original = packerValidate(tools, join(CORPUS, unit.path), work, args);
    const before = errorsOf(original.output);
    const run = packerValidate(tools, rendered, work, args);
    const after = errorsOf(run.output);
    const context = `packer validate ${args.join(' ')} (Packer ${tools.packerVersion}, plugin ${tools.pluginVersion}, ${report.dialect.dialect} dialect)`;
    const added = [...after].filter((e) => !before.has(e));
    assert.deepEqual(added, [], `${context}: errors the template as written does not have:\n${run.output}\nThe template as written:\n${original.output}`);
    if (report.changes.length > 0) assert.ok(![...after].some((e) => e.includes('iso_download_pve')), `${context}: iso_download_pve is still there`);
    if (after.size === 0) assert.equal(run.status, 0, run.output);
    outcomes.set(unit.id, { before: before.size, after: after.size, changes: report.changes.length });
  });
}

test('corpus, packer validate with modern Packer: the differential check ran on some units', { skip }, () => {
  modernPacker();
  assert.ok(outcomes.size > 0, 'every unit was skipped: no required_plugins constraint admits the built plugin');
});
