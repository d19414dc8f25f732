// Input variables with Packer's real precedence (packer-hcl.md §A.2, as the code does it, not as the
// docs say): default < PKR_VAR_<name> < auto var files (HCL then JSON, lexical) < -var-file in
// command-line order < every -var (a repeated -var: the last wins). Values are converted to the
// declared (or inferred) type; sensitive values are registered as secrets.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TemplateError, TemplateErrors, UsageError } from '../errors.js';
import type { HclxError, SourceRange } from '../errors.js';
import { evaluate } from '../hcl/evaluate.js';
import type { EvalContext } from '../hcl/evaluate.js';
import { createFunctions } from '../hcl/functions.js';
import { isUnknown } from '../hcl/model.js';
import type { Attribute, Expression, SourceFile, TypeConstraint, Value } from '../hcl/model.js';
import { parseExpression, parseFile } from '../hcl/parse.js';
import { convertValue, inferType, parseTypeConstraint } from '../hcl/types.js';
import { decodeUtf8 } from '../hcl/utf8.js';
import { ATTRIBUTES_ONLY, ROOT_SCHEMA, VARIABLE_SCHEMA } from '../hcl/json-schema.js';
import { registerSecret } from '../log.js';
import { displayPath, syntaxOf } from './load.js';
import type { Template } from './load.js';

export type VariableSource = 'default' | 'env' | 'auto-var-file' | 'var-file' | 'cli';

export interface VariableDeclaration {
  name: string;
  range: SourceRange;
  /** Declared type, else inferred from the default, else undefined (values stay as given). */
  type: TypeConstraint | undefined;
  sensitive: boolean;
  default?: { expr: Expression };
}

export interface VariableValue {
  value: Value;
  from: VariableSource;
  /** Where the value was written (a default, a var file line); undefined for env and -var. */
  range?: SourceRange;
}

export interface Variables {
  declarations: Map<string, VariableDeclaration>;
  values: Map<string, VariableValue>;
  /** `var` as an HCL object, for evaluation contexts. */
  object: Record<string, Value>;
}

export interface VariableInputs {
  /** The process environment (PKR_VAR_* are read from it). */
  env: Record<string, string | undefined>;
  /** `-var-file` paths in command-line order (relative to the cwd, as Packer resolves them). */
  varFiles: readonly string[];
  /** `-var name=value` pairs in command-line order. */
  vars: ReadonlyArray<readonly [string, string]>;
}

const NO_FUNCTIONS = {} as EvalContext['functions'];
const CONSTANTS_ONLY: EvalContext = { lookup: () => undefined, functions: NO_FUNCTIONS };

export async function collectVariables(template: Template, inputs: VariableInputs, options: { warn?: (m: string) => void } = {}): Promise<Variables> {
  const warn = options.warn ?? (() => undefined);
  const declarations = declareVariables(template);
  const values = new Map<string, VariableValue>();
  const errors: HclxError[] = [];
  const attempt = async (fn: () => void | Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      if (e instanceof TemplateError || e instanceof UsageError) errors.push(e);
      else throw e;
    }
  };

  // 1. Defaults: evaluated with env() as the only function and no variables.
  const defaultContext: EvalContext = { lookup: () => undefined, functions: onlyEnv(template, inputs.env) };
  for (const decl of declarations.values()) {
    if (!decl.default) continue;
    await attempt(() => {
      const expr = decl.default!.expr;
      let value: Value;
      try {
        value = evaluate(expr, defaultContext);
      } catch (e) {
        throw new TemplateError(`the default of variable "${decl.name}" cannot be evaluated: ${messageOf(e)}.`, {
          range: expr.range,
          hint: 'A variable default may only use literals and env(); compute other values in a locals block.',
        });
      }
      values.set(decl.name, { value: convert(value, decl, expr.range, 'default'), from: 'default', range: expr.range });
    });
  }
  // 2. PKR_VAR_<name>, exact and case-sensitive; undeclared names are ignored, as in Packer.
  for (const decl of declarations.values()) {
    const raw = inputs.env[`PKR_VAR_${decl.name}`];
    if (raw === undefined) continue;
    await attempt(async () => {
      values.set(decl.name, { value: await rawValue(raw, decl, `PKR_VAR_${decl.name}`), from: 'env' });
    });
  }
  // 3. Auto var files, 4. -var-file in order.
  const varFileSources: Array<{ file: SourceFile; from: VariableSource }> = template.autoVarFiles.map((f) => ({ file: f.source, from: 'auto-var-file' as const }));
  for (const path of inputs.varFiles) varFileSources.push({ file: await readVarFile(path, template.cwd), from: 'var-file' });
  for (const { file, from } of varFileSources) {
    for (const item of file.body.content(ATTRIBUTES_ONLY)) {
      if (item.kind === 'block') {
        errors.push(
          new TemplateError(`a var file holds only name = value assignments, not "${item.type}" blocks.`, {
            range: item.typeRange,
            hint: item.type === 'variable' ? 'Declare variables in a .pkr.hcl file; set their values here with name = value.' : 'Remove the block.',
          }),
        );
        continue;
      }
      const decl = declarations.get(item.name);
      if (!decl) {
        warn(`${formatAt(item)}: "${item.name}" is set in a var file but no variable "${item.name}" is declared; Packer ignores it, and so does hclx.`);
        continue;
      }
      await attempt(() => {
        let value: Value;
        try {
          value = evaluate(item.expr, CONSTANTS_ONLY);
        } catch (e) {
          throw new TemplateError(`the value of "${item.name}" in a var file cannot be evaluated: ${messageOf(e)}.`, {
            range: item.expr.range,
            hint: 'Var files hold constant values only (no functions, no var. or local. references).',
          });
        }
        values.set(item.name, { value: convert(value, decl, item.expr.range, `var file value of "${item.name}"`), from, range: item.expr.range });
      });
    }
  }
  // 5. -var, always last; a repeated name keeps the last value (Go map semantics).
  const cli = new Map<string, string>();
  for (const [name, raw] of inputs.vars) cli.set(name, raw);
  for (const [name, raw] of cli) {
    const decl = declarations.get(name);
    if (!decl) {
      errors.push(
        new UsageError(`-var '${name}=...' sets a variable that the template does not declare.`, {
          hint: `Declare it (variable "${name}" {}) or drop the -var; packer build refuses undeclared -var names too.${suggest(name, declarations)}`,
        }),
      );
      continue;
    }
    await attempt(async () => {
      values.set(name, { value: await rawValue(raw, decl, `-var ${name}`), from: 'cli' });
    });
  }
  // Every declared variable needs a value, even an unused one (Packer's "Unset variable").
  for (const decl of declarations.values()) {
    if (values.has(decl.name)) continue;
    errors.push(
      new TemplateError(`variable "${decl.name}" is not set: it has no default and no value was given.`, {
        code: 'E_UNSET_VARIABLE',
        range: decl.range,
        hint: `Supply it with -var '${decl.name}=...', in a -var-file, or as PKR_VAR_${decl.name}; or give it a default (default = null makes it optional).`,
      }),
    );
  }
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new TemplateErrors(errors);

  const object: Record<string, Value> = {};
  for (const [name, v] of values) {
    object[name] = v.value;
    if (declarations.get(name)?.sensitive) registerSecretLeaves(v.value);
  }
  return { declarations, values, object };
}

/** Reads every `variable` block and `variables {}` entry. Duplicates were refused by loadTemplate. */
export function declareVariables(template: Template): Map<string, VariableDeclaration> {
  const declarations = new Map<string, VariableDeclaration>();
  for (const f of template.files) {
    for (const item of f.source.body.content(ROOT_SCHEMA)) {
      if (item.kind !== 'block') continue;
      if (item.type === 'variables') {
        for (const a of item.body.content(ATTRIBUTES_ONLY)) {
          if (a.kind === 'attribute') declarations.set(a.name, finishDeclaration({ name: a.name, range: a.nameRange, type: undefined, sensitive: false, default: { expr: a.expr } }));
        }
        continue;
      }
      if (item.type !== 'variable') continue;
      const name = item.labels[0]!;
      const decl: VariableDeclaration = { name, range: item.typeRange, type: undefined, sensitive: false };
      for (const a of item.body.content(VARIABLE_SCHEMA)) {
        if (a.kind !== 'attribute') continue;
        if (a.name === 'type') decl.type = parseTypeConstraint(a.expr);
        else if (a.name === 'default') decl.default = { expr: a.expr };
        else if (a.name === 'sensitive') decl.sensitive = evaluate(a.expr, CONSTANTS_ONLY) === true;
      }
      declarations.set(name, finishDeclaration(decl));
    }
  }
  return declarations;
}

function finishDeclaration(decl: VariableDeclaration): VariableDeclaration {
  if (decl.type || !decl.default) return decl;
  // No type: Packer infers it from the default (a default of null leaves it open).
  try {
    const value = evaluate(decl.default.expr, { lookup: () => undefined, functions: NO_FUNCTIONS });
    if (value !== null && !isUnknown(value)) return { ...decl, type: inferType(value) };
  } catch {
    // A default that uses env() has a string type in practice; leave it open.
  }
  return decl;
}

/** A value from the environment or -var: a string for primitive/any/unset types, an HCL expression otherwise. */
async function rawValue(raw: string, decl: VariableDeclaration, what: string): Promise<Value> {
  const kind = decl.type?.kind;
  if (kind === undefined || kind === 'any' || kind === 'string' || kind === 'number' || kind === 'bool') return convert(raw, decl, undefined, what);
  let value: Value;
  try {
    value = evaluate(await parseExpression(raw, what), CONSTANTS_ONLY);
  } catch (e) {
    throw new UsageError(`the value of ${what} is not a valid HCL value for type ${typeName(decl.type!)}: ${messageOf(e)}.`, {
      hint: `Write it in HCL syntax, e.g. -var '${decl.name}=["a","b"]' for a list or -var '${decl.name}={k="v"}' for a map.`,
    });
  }
  return convert(value, decl, undefined, what);
}

function typeName(type: TypeConstraint): string {
  switch (type.kind) {
    case 'list':
    case 'set':
    case 'map':
      return `${type.kind}(${typeName(type.element)})`;
    case 'tuple':
      return 'tuple';
    case 'object':
      return 'object';
    default:
      return type.kind;
  }
}

function convert(value: Value, decl: VariableDeclaration, range: SourceRange | undefined, what: string): Value {
  if (!decl.type) return value;
  return convertValue(value, decl.type, range ?? decl.range, `${what} (variable "${decl.name}")`);
}

async function readVarFile(path: string, cwd: string): Promise<SourceFile> {
  const absolute = resolve(cwd, path);
  if (!path.endsWith('.hcl') && !path.endsWith('.json')) {
    throw new UsageError(`could not guess the format of var file '${path}'.`, { hint: 'A -var-file must end in .hcl (e.g. .pkrvars.hcl) or .json (e.g. .pkrvars.json), as Packer requires.' });
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolute);
  } catch {
    throw new UsageError(`-var-file '${path}' cannot be read.`, { hint: 'Check the path; -var-file paths are relative to the current directory.' });
  }
  const { text, invalid } = decodeUtf8(bytes);
  return parseFile({ path: absolute, displayPath: displayPath(absolute, cwd), text, syntax: syntaxOf(path), invalidUtf8: invalid });
}

function onlyEnv(template: Template, env: Record<string, string | undefined>): EvalContext['functions'] {
  const all = createFunctions({ baseDir: template.dir, cwd: template.cwd, env, allowEnv: true }) as unknown as Record<string, unknown>;
  return (all.env === undefined ? {} : { env: all.env }) as EvalContext['functions'];
}

function registerSecretLeaves(value: Value): void {
  if (typeof value === 'string') registerSecret(value);
  else if (Array.isArray(value)) value.forEach(registerSecretLeaves);
  else if (value !== null && typeof value === 'object' && !isUnknown(value)) Object.values(value).forEach(registerSecretLeaves);
}

function formatAt(a: Attribute): string {
  return `${a.nameRange.file}:${a.nameRange.start.line}:${a.nameRange.start.column}`;
}

function messageOf(e: unknown): string {
  if (e instanceof TemplateError) return e.message.replace(/\.$/, '');
  return e instanceof Error ? e.message : String(e);
}

function suggest(name: string, declarations: Map<string, VariableDeclaration>): string {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of declarations.keys()) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= Math.max(1, Math.floor(candidate.length / 4)) && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best ? ` Did you mean "${best.name}"?` : '';
}

/** Optimal string alignment distance (insert, delete, substitute, swap two neighbours). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
