// A MigrationTemplate built straight from files (parse + variable defaults), so the planner can be
// tested on its own, without the template loader.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { evaluate } from '../../src/hcl/evaluate.js';
import type { EvalContext } from '../../src/hcl/evaluate.js';
import { parseFile } from '../../src/hcl/parse.js';
import type { Value } from '../../src/hcl/model.js';
import type { MigrationTemplate } from '../../src/migrate/plan.js';

export async function viewOf(paths: string[], overrides: Record<string, Value> = {}): Promise<MigrationTemplate> {
  const files = await Promise.all(paths.map((path) => parseFile({ path, displayPath: basename(path), text: readFileSync(path, 'utf8') })));
  const none: EvalContext = { lookup: () => undefined, functions: {} };
  const vars: Record<string, Value> = {};
  for (const f of files) {
    for (const item of f.body.content({ blocks: { variable: { labels: 1 } } })) {
      if (item.kind !== 'block' || item.type !== 'variable') continue;
      const def = item.body.content().find((a) => a.kind === 'attribute' && a.name === 'default');
      vars[item.labels[0]!] = def && def.kind === 'attribute' ? evaluate(def.expr, none) : null;
    }
  }
  Object.assign(vars, overrides);
  const ctx: EvalContext = { lookup: (root) => (root === 'var' ? vars : undefined), functions: {} };
  return {
    files,
    evaluate: (expr) => evaluate(expr, ctx),
    variables: new Map(Object.entries(vars).map(([k, v]) => [k, { value: v }])),
  };
}
