// The dialect a rewritten ISO is written in. modern: boot_iso {} and additional_iso_files { type,
// index } (plugin >= 1.2.0). legacy: top-level iso_file / unmount_iso and additional_iso_files
// { device } (Packer <= 1.6's built-in builder, plugin < 1.2; plugin 1.2 still accepts it with
// deprecation warnings). `auto` reads the proxmox entry of required_plugins.

import { TemplateError, UsageError } from '../errors.js';
import type { SourceRange } from '../errors.js';
import { evaluate } from '../hcl/evaluate.js';
import type { EvalContext } from '../hcl/evaluate.js';
import type { Value } from '../hcl/model.js';
import { ATTRIBUTES_ONLY, PACKER_SCHEMA, ROOT_SCHEMA } from '../hcl/json-schema.js';
import type { IsoSpec } from '../template/iso-spec.js';
import type { Template } from '../template/load.js';
import { admittedGenerations, parseConstraint } from './plugin-version.js';

export type Dialect = 'modern' | 'legacy';
export type DialectTarget = Dialect | 'auto';

export interface DialectChoice {
  dialect: Dialect;
  /** The target as asked (`auto` keeps top-level specs in their own, still accepted, form). */
  target: DialectTarget;
  /** Why, for the render report. */
  reason: string;
}

export function parseDialectTarget(value: unknown): DialectTarget {
  if (value === undefined || value === 'auto') return 'auto';
  if (value === 'modern' || value === 'legacy') return value;
  throw new UsageError(`--target '${String(value)}' is not a dialect.`, { hint: 'Use --target modern (plugin >= 1.2.0), legacy (Packer <= 1.6, plugin < 1.2) or auto.' });
}

export interface PluginRequirement {
  version: string;
  range: SourceRange;
}

/** The version constraint of the Proxmox plugin in `packer { required_plugins { ... } }`, if any. */
export function proxmoxPluginRequirement(template: Template): PluginRequirement | undefined {
  const constants: EvalContext = { lookup: () => undefined, functions: {} as EvalContext['functions'] };
  for (const f of template.files) {
    for (const packer of f.source.body.content(ROOT_SCHEMA)) {
      if (packer.kind !== 'block' || packer.type !== 'packer') continue;
      for (const rp of packer.body.content(PACKER_SCHEMA)) {
        if (rp.kind !== 'block' || rp.type !== 'required_plugins') continue;
        for (const entry of rp.body.content(ATTRIBUTES_ONLY)) {
          if (entry.kind !== 'attribute') continue;
          let value: Value;
          try {
            value = evaluate(entry.expr, constants);
          } catch {
            continue;
          }
          if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
          const obj = value as Record<string, Value>;
          const source = obj.source;
          if (typeof source === 'string' && /(^|\/)proxmox$/.test(source) && typeof obj.version === 'string') return { version: obj.version, range: entry.range };
        }
      }
    }
  }
  return undefined;
}

export function chooseDialect(target: DialectTarget, template: Template, specs: readonly IsoSpec[]): DialectChoice {
  if (target !== 'auto') return { dialect: target, target, reason: `--target ${target}` };
  const modernSyntax = specs.find((s) => s.dialectSeen === 'modern');
  if (modernSyntax) return { dialect: 'modern', target, reason: `the template already uses plugin >= 1.2 syntax (${modernSyntax.label})` };
  const requirement = proxmoxPluginRequirement(template);
  if (!requirement) return { dialect: 'modern', target, reason: 'no required_plugins constraint for the Proxmox plugin (modern by default)' };
  const constraints = parseConstraint(requirement.version);
  if (!constraints) {
    throw new TemplateError(`required_plugins: proxmox version "${requirement.version}" is not a version constraint.`, {
      range: requirement.range,
      hint: 'Write it as e.g. ">= 1.2.0" or "~> 1.1.8", or pass --target modern|legacy.',
    });
  }
  const admitted = admittedGenerations(constraints);
  if (!admitted.legacy) return { dialect: 'modern', target, reason: `required_plugins allows only plugin >= 1.2.0 ("${requirement.version}")` };
  return {
    dialect: 'legacy',
    target,
    reason: `required_plugins allows plugin versions before 1.2.0 ("${requirement.version}"), which know neither boot_iso nor type/index`,
  };
}
