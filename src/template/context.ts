// The evaluation context of a template: var, local, path and the function library, plus the names
// Packer only knows at build time (data sources, build.*, packer.*), which evaluate to UnknownValue.

import type { EvalContext } from '../hcl/evaluate.js';
import { createFunctions } from '../hcl/functions.js';
import { UnknownValue } from '../hcl/model.js';
import type { Value } from '../hcl/model.js';
import type { Template } from './load.js';
import { defineLocals, evaluateLocals } from './locals.js';
import type { Variables } from './variables.js';

export interface TemplateContext {
  /** Resolves var, local, path, data, build, packer, source (for use inside a source body see `forSource`). */
  base: EvalContext;
  locals: Record<string, Value>;
}

const BUILD_TIME: Record<string, string> = {
  data: 'data sources are read by Packer when it runs the build',
  build: 'build.* values exist only while Packer builds',
  packer: 'packer.* values are set by Packer when it runs',
  source: 'source.* values exist only inside a build',
};

export function createTemplateContext(template: Template, variables: Variables, env: Record<string, string | undefined>): TemplateContext {
  const functions = createFunctions({ baseDir: template.dir, cwd: template.cwd, env, allowEnv: false });
  const path: Value = { root: template.path.root, cwd: template.path.cwd };
  const withoutLocals: EvalContext = {
    functions,
    lookup: (root) => {
      if (root === 'var') return variables.object;
      if (root === 'path') return path;
      const why = BUILD_TIME[root];
      return why ? new UnknownValue(why) : undefined;
    },
  };
  const locals = evaluateLocals(defineLocals(template), withoutLocals);
  const base: EvalContext = { functions, lookup: (root) => (root === 'local' ? locals : withoutLocals.lookup(root)) };
  return { base, locals };
}

/** The context inside a source body: `source.type` and `source.name` are known there. */
export function forSource(ctx: EvalContext, type: string, name: string): EvalContext {
  return { functions: ctx.functions, lookup: (root) => (root === 'source' ? { type, name } : ctx.lookup(root)) };
}

/** Adds one name (a dynamic block's iterator) to a context. */
export function withName(ctx: EvalContext, name: string, value: Value): EvalContext {
  return { functions: ctx.functions, lookup: (root) => (root === name ? value : ctx.lookup(root)) };
}
