// `hclx render`: prepare → choose the dialect → resolve each downloading spec's volid → rewrite →
// check the result re-parses → emit to the output directory. How a volid is obtained is a strategy:
// offline prediction here; the download engine plugs in its own (it downloads, then answers).

import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { HclSyntaxError, InternalError } from '../errors.js';
import { parseFile } from '../hcl/parse.js';
import type { TextEdit } from '../hcl/model.js';
import { emitTemplate } from '../emit/stage.js';
import type { EmitResult } from '../emit/stage.js';
import { isoFileNameFromUrl, volid } from '../resolve/names.js';
import { parseChecksumSpec, resolveChecksum } from '../resolve/checksum.js';
import type { Checksum } from '../resolve/checksum.js';
import { chooseTargetName } from '../provision/naming.js';
import type { IsoNameMode } from '../provision/naming.js';
import { chooseDialect, withInstalledPlugin } from '../rewrite/dialect.js';
import type { DialectChoice, DialectTarget } from '../rewrite/dialect.js';
import { rewriteSpecs } from '../rewrite/rewrite.js';
import type { RewriteChange } from '../rewrite/rewrite.js';
import { applyEdits } from '../hcl/edit.js';
import { isoUrls, wantsPveDownload } from '../template/iso-spec.js';
import type { IsoSpec } from '../template/iso-spec.js';
import { prepareTemplate } from '../template/prepare.js';
import type { PreparedTemplate } from '../template/prepare.js';
import type { Template } from '../template/load.js';

/** Gives the volid of every spec that downloads on the node (in the same order). */
export type VolidResolver = (specs: readonly IsoSpec[], prepared: PreparedTemplate) => Promise<string[]>;

/**
 * `--offline`: predicts each volid without any network call, with the same naming policy as the
 * download engine (so the offline rendering names what an online run would store). A checksum
 * given literally (or in a local sums file) gives the exact checksum name; a checksum that lives in
 * a remote sums file cannot be read offline, so that one ISO is predicted with its URL name and a
 * warning says so.
 */
export function offlineVolids(mode: IsoNameMode = 'checksum', warn: (message: string) => void = () => undefined, cwd = process.cwd()): VolidResolver {
  return async (specs) => {
    const out: string[] = [];
    for (const spec of specs) {
      const urlField = spec.fields.iso_urls ? 'iso_urls[0]' : 'iso_url';
      const url = isoUrls(spec)[0]!;
      const origin = { field: `${spec.label}: ${urlField}`, range: (spec.fields.iso_urls ?? spec.fields.iso_url)!.attribute.range };
      const checksumField = spec.fields.iso_checksum;
      const raw = checksumField && typeof checksumField.value === 'string' ? checksumField.value : 'none';
      const range = checksumField?.attribute.range;
      const parsed = parseChecksumSpec(raw, range ? { range } : {});
      let checksum: Checksum;
      if (parsed.kind === 'value') checksum = parsed.checksum;
      else if (parsed.kind === 'none') checksum = { algorithm: 'none' };
      else if (mode === 'checksum' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(parsed.location)) {
        checksum = await resolveChecksum(raw, { isoUrl: url, cwd, ...(range ? { range } : {}) });
      } else {
        if (mode === 'checksum') warn(`${spec.label}: the checksum is in ${parsed.location}, which --offline does not fetch; predicted the URL file name (an online run names the file <stem>.<12 hex of the checksum>.iso).`);
        checksum = { algorithm: 'none' };
      }
      const name = checksum.algorithm === 'none' ? isoFileNameFromUrl(url, origin) : chooseTargetName(url, checksum, mode, origin).filename;
      out.push(volid(String(spec.fields.iso_storage_pool!.value), name));
    }
    return out;
  };
}

/** Offline prediction with the URL file names (`--iso-name url`), kept for callers that want exactly that. */
export const predictVolids: VolidResolver = offlineVolids('url');

export interface RenderOptions {
  templatePath: string;
  cwd: string;
  env: Record<string, string | undefined>;
  varFiles: readonly string[];
  vars: ReadonlyArray<readonly [string, string]>;
  target: DialectTarget;
  /** Output directory; default: defaultOutDir() under the OS temp dir. */
  outDir?: string;
  resolveVolids: VolidResolver;
  warn?: (message: string) => void;
  /**
   * `--target auto` in build/validate: the proxmox plugin versions Packer has installed. Asked only
   * when required_plugins leaves the dialect open, and alongside the downloads (it runs Packer).
   */
  installedPlugins?: (() => Promise<readonly string[] | undefined>) | undefined;
}

export interface RenderReport {
  template: Template;
  dialect: DialectChoice;
  specs: IsoSpec[];
  changes: RewriteChange[];
  emitted: EmitResult;
  warnings: string[];
}

export async function renderTemplate(options: RenderOptions): Promise<RenderReport> {
  const warn = options.warn ?? (() => undefined);
  const prepared = await prepareTemplate(options.templatePath, { cwd: options.cwd, env: options.env, varFiles: options.varFiles, vars: options.vars, warn });
  const { template, specs } = prepared;
  const downloading = specs.filter(wantsPveDownload);
  const fromTemplate = chooseDialect(options.target, template, specs);
  const installed = fromTemplate.open && options.installedPlugins ? options.installedPlugins() : undefined;
  const volids = downloading.length > 0 ? await options.resolveVolids(downloading, prepared) : [];
  const dialect = withInstalledPlugin(fromTemplate, await installed);
  const rewrite = rewriteSpecs(
    specs,
    downloading.map((spec, i) => ({ spec, volid: volids[i]! })),
    dialect,
  );
  await checkReparses(template, rewrite.edits);
  const emitted = emitTemplate({ template, edits: rewrite.edits, outDir: options.outDir ?? defaultOutDir(template) });
  return { template, dialect, specs, changes: rewrite.changes, emitted, warnings: [...rewrite.warnings, ...emitted.warnings] };
}

/**
 * Where `render` writes when no --out is given: a directory of hclx's own under the OS temp dir,
 * stable per template (so re-rendering replaces it), never next to the user's files.
 */
export function defaultOutDir(template: Template): string {
  const name = template.mode === 'directory' ? basename(template.dir) : basename(template.files[0]!.entryName).replace(/\.pkr\.(hcl|json)$/, '');
  const key = createHash('sha256').update(resolve(template.files[0]!.source.path, '..')).update(name).digest('hex').slice(0, 8);
  return join(tmpdir(), 'hclx', 'render', `${name || 'template'}-${key}`);
}

/** Every edited file must still parse: an edit that breaks the syntax is a bug, never output. */
async function checkReparses(template: Template, edits: ReadonlyMap<string, readonly TextEdit[]>): Promise<void> {
  for (const file of template.files) {
    const fileEdits = edits.get(file.source.path);
    if (!fileEdits || fileEdits.length === 0) continue;
    const text = applyEdits(file.source.text, fileEdits);
    try {
      await parseFile({ path: file.source.path, displayPath: `${file.source.displayPath} (rewritten)`, text, syntax: file.source.syntax });
    } catch (e) {
      if (e instanceof HclSyntaxError) throw new InternalError(`the rewrite of ${file.source.displayPath} does not parse: ${e.describe()}`);
      throw e;
    }
  }
}
