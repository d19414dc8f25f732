// The read side of every command: load the template as Packer would, collect variables, evaluate
// locals, extract the ISO specs and validate them. Nothing here touches the network or writes.

import type { EvalContext } from '../hcl/evaluate.js';
import { createTemplateContext } from './context.js';
import { extractIsoSpecs } from './extract.js';
import type { IsoSpec } from './iso-spec.js';
import { loadTemplate } from './load.js';
import type { Template } from './load.js';
import { validateIsoSpecs } from './validate.js';
import { collectVariables } from './variables.js';
import type { Variables, VariableInputs } from './variables.js';

export interface PrepareOptions extends VariableInputs {
  cwd: string;
  warn?: (message: string) => void;
}

export interface PreparedTemplate {
  template: Template;
  variables: Variables;
  /** Evaluation context with var, local, path (for later stages that evaluate more). */
  context: EvalContext;
  specs: IsoSpec[];
}

export async function prepareTemplate(templatePath: string, options: PrepareOptions): Promise<PreparedTemplate> {
  const warn = options.warn ?? (() => undefined);
  const template = await loadTemplate(templatePath, { cwd: options.cwd, warn });
  const variables = await collectVariables(template, options, { warn });
  const { base } = createTemplateContext(template, variables, options.env);
  const specs = extractIsoSpecs(template, base);
  validateIsoSpecs(specs, warn);
  return { template, variables, context: base, specs };
}
