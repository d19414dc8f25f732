// Renders one corpus unit as a user would run it: the unit's var files and variables, and for
// every variable still unset a plausible value of its declared type (as a user would give with
// -var). Shared by the corpus walk and the packer validate check of the corpus.

import { join } from 'node:path';
import { HclxError, TemplateErrors } from '../../src/errors.js';
import { predictVolids, renderTemplate } from '../../src/pipeline/render.js';
import type { RenderOptions, RenderReport } from '../../src/pipeline/render.js';
import { loadTemplate } from '../../src/template/load.js';
import { declareVariables } from '../../src/template/variables.js';
import { CORPUS, ONE_ELEMENT, dummyValue } from './corpus-units.js';
import type { CorpusUnit } from './corpus-units.js';

export interface Attempt {
  report?: RenderReport;
  error?: unknown;
  /** The variables the render used (the unit's and the dummies added). */
  vars: Array<[string, string]>;
}

export interface RenderUnitOptions {
  /** Working directory (cwd of the render). */
  work: string;
  outDir: string;
  /** Where the corpus is (a copy with another layout); default ../shared/corpus. */
  root?: string;
  installedPlugins?: RenderOptions['installedPlugins'];
}

export async function renderCorpusUnit(unit: CorpusUnit, options: RenderUnitOptions): Promise<Attempt> {
  const root = options.root ?? CORPUS;
  const declarations = async () => declareVariables(await loadTemplate(join(root, unit.path), { cwd: options.work }));
  let vars = [...unit.vars];
  if (vars.some(([, v]) => v === ONE_ELEMENT)) {
    const declared = await declarations();
    vars = vars.map(([n, v]) => [n, v === ONE_ELEMENT ? dummyValue(n, declared.get(n)?.type, true) : v]);
  }
  for (let round = 0; round < 2; round++) {
    try {
      const report = await renderTemplate({
        templatePath: join(root, unit.path),
        cwd: options.work,
        env: {},
        varFiles: unit.varFiles,
        vars,
        target: 'auto',
        outDir: options.outDir,
        resolveVolids: predictVolids,
        installedPlugins: options.installedPlugins,
      });
      return { report, vars };
    } catch (error) {
      const errors = error instanceof TemplateErrors ? error.errors : [error];
      const unset = errors.filter((e): e is HclxError => e instanceof HclxError && e.code === 'E_UNSET_VARIABLE');
      if (round > 0 || unset.length === 0 || unset.length !== errors.length) return { error, vars };
      // Give every unset variable a plausible value of its type, as a user would with -var.
      const declared = await declarations();
      for (const e of unset) {
        const name = /variable "([^"]+)"/.exec(e.message)![1]!;
        vars.push([name, dummyValue(name, declared.get(name)?.type)]);
      }
    }
  }
  throw new Error('unreachable');
}
