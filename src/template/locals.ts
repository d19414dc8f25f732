// Locals: `locals { a = ... }` and `local "a" { expression = ... sensitive = true }`, evaluated in
// dependency order. A local that cannot be evaluated (vault(), a missing file, a data source)
// becomes an UnknownValue carrying the reason: it is an error only if an ISO field needs it.

import { TemplateError } from '../errors.js';
import type { SourceRange } from '../errors.js';
import { evaluate } from '../hcl/evaluate.js';
import type { EvalContext } from '../hcl/evaluate.js';
import { isUnknown, UnknownValue } from '../hcl/model.js';
import type { Expression, Value } from '../hcl/model.js';
import { ATTRIBUTES_ONLY, ROOT_SCHEMA } from '../hcl/json-schema.js';
import { registerSecret } from '../log.js';
import type { Template } from './load.js';

export interface LocalDefinition {
  name: string;
  expr: Expression;
  range: SourceRange;
  sensitive: boolean;
}

export function defineLocals(template: Template): Map<string, LocalDefinition> {
  const defs = new Map<string, LocalDefinition>();
  for (const f of template.files) {
    for (const item of f.source.body.content(ROOT_SCHEMA)) {
      if (item.kind !== 'block') continue;
      if (item.type === 'locals') {
        for (const a of item.body.content(ATTRIBUTES_ONLY)) if (a.kind === 'attribute') defs.set(a.name, { name: a.name, expr: a.expr, range: a.nameRange, sensitive: false });
      } else if (item.type === 'local') {
        const attrs = new Map(item.body.content(ATTRIBUTES_ONLY).flatMap((a) => (a.kind === 'attribute' ? [[a.name, a] as const] : [])));
        const expression = attrs.get('expression');
        if (!expression) {
          throw new TemplateError(`local "${item.labels[0]}" has no expression.`, { range: item.typeRange, hint: 'Write local "name" { expression = ... }.' });
        }
        const sensitive = attrs.get('sensitive');
        defs.set(item.labels[0]!, {
          name: item.labels[0]!,
          expr: expression.expr,
          range: item.typeRange,
          sensitive: sensitive !== undefined && safeEvaluate(sensitive.expr) === true,
        });
      }
    }
  }
  return defs;
}

function safeEvaluate(expr: Expression): Value {
  try {
    return evaluate(expr, { lookup: () => undefined, functions: {} as EvalContext['functions'] });
  } catch {
    return null;
  }
}

/**
 * Evaluates every local in dependency order. `base` resolves every root except `local`.
 * Returns `local` as an object whose failed entries are UnknownValues.
 */
export function evaluateLocals(defs: Map<string, LocalDefinition>, base: EvalContext): Record<string, Value> {
  const result: Record<string, Value> = {};
  const state = new Map<string, 'visiting' | 'done'>();
  const context: EvalContext = {
    functions: base.functions,
    lookup: (root) => (root === 'local' ? result : base.lookup(root)),
  };
  const visit = (name: string, chain: string[]): void => {
    const def = defs.get(name);
    if (!def || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      result[name] = new UnknownValue(`local.${name} depends on itself (${[...chain, name].map((n) => `local.${n}`).join(' → ')})`, def.range);
      return;
    }
    state.set(name, 'visiting');
    for (const ref of def.expr.traversals()) if (ref[0] === 'local' && ref[1] !== undefined) visit(ref[1], [...chain, name]);
    if (!(name in result)) result[name] = evaluateOne(def, context);
    state.set(name, 'done');
    if (def.sensitive) registerLeaves(result[name]!);
  };
  for (const name of defs.keys()) visit(name, []);
  return result;
}

function evaluateOne(def: LocalDefinition, context: EvalContext): Value {
  try {
    return evaluate(def.expr, context);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/\.$/, '') : String(e);
    return new UnknownValue(`local.${def.name} cannot be evaluated (${why})`, def.expr.range);
  }
}

function registerLeaves(value: Value): void {
  if (typeof value === 'string') registerSecret(value);
  else if (Array.isArray(value)) value.forEach(registerLeaves);
  else if (value !== null && typeof value === 'object' && !isUnknown(value)) Object.values(value).forEach(registerLeaves);
}
