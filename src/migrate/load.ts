// Loads a template for migration with the template core (files as Packer picks them, variables
// with Packer's precedence, locals), and adapts it to what the planner reads. Unlike a build,
// a migration does not need every variable: credentials and other unset variables become unknown
// values, so only the ISO settings that really depend on them are reported.

import { HclxError, TemplateError, TemplateErrors } from '../errors.js';
import { evaluate } from '../hcl/evaluate.js';
import type { EvalContext } from '../hcl/evaluate.js';
import { UnknownValue } from '../hcl/model.js';
import type { Value } from '../hcl/model.js';
import { createTemplateContext } from '../template/context.js';
import { loadTemplate } from '../template/load.js';
import type { Template } from '../template/load.js';
import { collectVariables, declareVariables } from '../template/variables.js';
import type { VariableInputs, Variables } from '../template/variables.js';
import type { MigrationTemplate } from './plan.js';

export interface MigrationLoadOptions extends VariableInputs {
  cwd: string;
  warn?: (message: string) => void;
}

export interface LoadedForMigration {
  template: Template;
  view: MigrationTemplate;
  /** The evaluation context (unset variables are unknown values in it). */
  context: EvalContext;
}

/** A `-var` value that parses for the declared type, used only to get past Packer's "unset variable" rule. */
function placeholderFor(kind: string | undefined): string {
  switch (kind) {
    case 'number':
      return '0';
    case 'bool':
      return 'false';
    case 'list':
    case 'set':
    case 'tuple':
      return '[]';
    case 'map':
    case 'object':
      return '{}';
    default:
      return '';
  }
}

async function variablesAllowingUnset(template: Template, inputs: VariableInputs, warn?: (m: string) => void): Promise<Variables> {
  try {
    return await collectVariables(template, inputs, { warn });
  } catch (error) {
    const errors = error instanceof TemplateErrors ? error.errors : [error];
    const unset = errors.filter((e): e is TemplateError => e instanceof TemplateError && e.code === 'E_UNSET_VARIABLE');
    if (unset.length === 0 || unset.length !== errors.length) throw error;
    const names = unset.map((e) => /variable "([^"]+)"/.exec(e.message)?.[1]).filter((n): n is string => n !== undefined);
    const kinds = new Map<string, string | undefined>();
    for (const [name, decl] of declareVariables(template)) kinds.set(name, decl.type?.kind);
    const filled = await collectVariables(template, { ...inputs, vars: [...names.map((n) => [n, placeholderFor(kinds.get(n))] as const), ...inputs.vars] }, { warn });
    for (const n of names) filled.object[n] = new UnknownValue(`variable "${n}" is not set (pass -var '${n}=...' to migrate settings that use it)`);
    return filled;
  }
}

export async function loadForMigration(arg: string, options: MigrationLoadOptions): Promise<LoadedForMigration> {
  const template = await loadTemplate(arg, { cwd: options.cwd, warn: options.warn });
  const variables = await variablesAllowingUnset(template, options, options.warn);
  const context = createTemplateContext(template, variables, options.env);
  const view: MigrationTemplate = {
    files: template.files.map((f) => f.source),
    evaluate(expr): Value {
      try {
        return evaluate(expr, context.base);
      } catch (error) {
        // A setting migrate cannot evaluate is reported and left alone, not fatal.
        if (error instanceof HclxError) return new UnknownValue(error.describe());
        throw error;
      }
    },
    variables: new Map([...variables.values].map(([name, v]) => [name, { value: variables.object[name] ?? v.value }])),
  };
  return { template, view, context: context.base };
}
