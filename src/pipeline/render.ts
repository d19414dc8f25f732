// `hclx render`: prepare → choose the dialect → resolve each downloading spec's volid → rewrite →
// check the result re-parses → emit to the output directory. How a volid is obtained is a strategy:
// offline prediction here; the download engine plugs in its own (it downloads, then answers).

import { basename } from 'node:path';
import { HclSyntaxError, InternalError } from '../errors.js';
import { parseFile } from '../hcl/parse.js';
import type { TextEdit } from '../hcl/model.js';
import { emitTemplate } from '../emit/stage.js';
import type { EmitResult } from '../emit/stage.js';
import { isoFileNameFromUrl, volid } from '../resolve/names.js';
import { chooseDialect } from '../rewrite/dialect.js';
import type { DialectChoice, DialectTarget } from '../rewrite/dialect.js';
import { rewriteSpecs } from '../rewrite/rewrite.js';
import type { RewriteChange } from '../rewrite/rewrite.js';
import { applyTextEdits } from '../rewrite/splice.js';
import { isoUrls, wantsPveDownload } from '../template/iso-spec.js';
import type { IsoSpec } from '../template/iso-spec.js';
import { prepareTemplate } from '../template/prepare.js';
import type { PreparedTemplate } from '../template/prepare.js';
import type { Template } from '../template/load.js';

/** Gives the volid of every spec that downloads on the node (in the same order). */
export type VolidResolver = (specs: readonly IsoSpec[], prepared: PreparedTemplate) => Promise<string[]>;

/** `--offline`: predicts `<iso_storage_pool>:iso/<normalised name of the first URL>` without any network call. */
export const predictVolids: VolidResolver = async (specs) =>
  specs.map((spec) => {
    const urlField = spec.fields.iso_urls ? 'iso_urls[0]' : 'iso_url';
    const url = isoUrls(spec)[0]!;
    const name = isoFileNameFromUrl(url, { field: `${spec.label}: ${urlField}`, range: (spec.fields.iso_urls ?? spec.fields.iso_url)!.attribute.range });
    return volid(String(spec.fields.iso_storage_pool!.value), name);
  });

export interface RenderOptions {
  templatePath: string;
  cwd: string;
  env: Record<string, string | undefined>;
  varFiles: readonly string[];
  vars: ReadonlyArray<readonly [string, string]>;
  target: DialectTarget;
  /** Output directory; default `.hclx/render/<template name>` under the cwd. */
  outDir?: string;
  resolveVolids: VolidResolver;
  warn?: (message: string) => void;
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
  const dialect = chooseDialect(options.target, template, specs);
  const volids = downloading.length > 0 ? await options.resolveVolids(downloading, prepared) : [];
  const rewrite = rewriteSpecs(
    specs,
    downloading.map((spec, i) => ({ spec, volid: volids[i]! })),
    dialect,
  );
  await checkReparses(template, rewrite.edits);
  const emitted = emitTemplate({ template, edits: rewrite.edits, outDir: options.outDir ?? defaultOutDir(template) });
  return { template, dialect, specs, changes: rewrite.changes, emitted, warnings: [...rewrite.warnings, ...emitted.warnings] };
}

export function defaultOutDir(template: Template): string {
  const name = template.mode === 'directory' ? basename(template.dir) : basename(template.files[0]!.entryName).replace(/\.pkr\.(hcl|json)$/, '');
  return `.hclx/render/${name || 'template'}`;
}

/** Every edited file must still parse: an edit that breaks the syntax is a bug, never output. */
async function checkReparses(template: Template, edits: ReadonlyMap<string, readonly TextEdit[]>): Promise<void> {
  for (const file of template.files) {
    const fileEdits = edits.get(file.source.path);
    if (!fileEdits || fileEdits.length === 0) continue;
    const text = applyTextEdits(file.source.text, fileEdits);
    try {
      await parseFile({ path: file.source.path, displayPath: `${file.source.displayPath} (rewritten)`, text, syntax: file.source.syntax });
    } catch (e) {
      if (e instanceof HclSyntaxError) throw new InternalError(`the rewrite of ${file.source.displayPath} does not parse: ${e.describe()}`);
      throw e;
    }
  }
}
