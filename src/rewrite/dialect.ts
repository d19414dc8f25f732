// The dialect a rewritten ISO is written in. modern: boot_iso {} and additional_iso_files { type,
// index } (plugin >= 1.2.0). legacy: top-level iso_file / unmount_iso and additional_iso_files
// { device } (Packer <= 1.6's built-in builder, plugin < 1.2; plugin 1.2 still accepts it with
// deprecation warnings). `auto` reads the proxmox entry of required_plugins; where that leaves the
// choice open and the caller knows which plugin Packer would load (`packer plugins installed`),
// that plugin's version decides.

import { TemplateError, UsageError } from '../errors.js';
import type { SourceRange } from '../errors.js';
import { evaluate } from '../hcl/evaluate.js';
import type { EvalContext } from '../hcl/evaluate.js';
import type { Value } from '../hcl/model.js';
import { ATTRIBUTES_ONLY, PACKER_SCHEMA, ROOT_SCHEMA } from '../hcl/json-schema.js';
import type { IsoSpec } from '../template/iso-spec.js';
import type { Template } from '../template/load.js';
import { admits, admittedGenerations, compareVersions, MODERN_PLUGIN, parseConstraint, parseVersion } from './plugin-version.js';
import type { Constraint } from './plugin-version.js';

export type Dialect = 'modern' | 'legacy';
export type DialectTarget = Dialect | 'auto';

export interface DialectChoice {
  dialect: Dialect;
  /** The target as asked (`auto` keeps top-level specs in their own, still accepted, form). */
  target: DialectTarget;
  /** Why, for the render report. */
  reason: string;
  /**
   * `auto` when required_plugins admits plugins on both sides of 1.2.0 (or there is none): the plugin
   * Packer will load decides, if it is known (see withInstalledPlugin). The constraint, if any.
   */
  open?: { constraints: Constraint[] | undefined; requirement: string | undefined };
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
  const requirement = proxmoxPluginRequirement(template);
  const constraints = requirement ? parseConstraint(requirement.version) : undefined;
  const admitted = constraints ? admittedGenerations(constraints) : { legacy: !requirement, modern: !requirement };
  const open = admitted.legacy && admitted.modern ? { open: { constraints, requirement: requirement?.version } } : {};
  const modernSyntax = specs.find((s) => s.dialectSeen === 'modern');
  if (modernSyntax) return { dialect: 'modern', target, reason: `the template already uses plugin >= 1.2 syntax (${modernSyntax.label})`, ...open };
  if (!requirement) return { dialect: 'modern', target, reason: 'no required_plugins constraint for the Proxmox plugin (modern by default)', ...open };
  if (!constraints) {
    throw new TemplateError(`required_plugins: proxmox version "${requirement.version}" is not a version constraint.`, {
      range: requirement.range,
      hint: 'Write it as e.g. ">= 1.2.0" or "~> 1.1.8", or pass --target modern|legacy.',
    });
  }
  if (!admitted.legacy) return { dialect: 'modern', target, reason: `required_plugins allows only plugin >= 1.2.0 ("${requirement.version}")` };
  return {
    dialect: 'legacy',
    target,
    reason: `required_plugins allows plugin versions before 1.2.0 ("${requirement.version}"), which know neither boot_iso nor type/index`,
    ...open,
  };
}

/**
 * `auto`, with the proxmox plugin versions Packer has installed: when required_plugins left the
 * choice open, the newest installed version it admits is the one Packer loads, and that decides
 * (a plugin before 1.2.0 rejects boot_iso, whatever the template was written in). Without an
 * installed version that fits, the template's own choice stands.
 */
export function withInstalledPlugin(choice: DialectChoice, installed: readonly string[] | undefined): DialectChoice {
  if (!choice.open || !installed) return choice;
  const { constraints, requirement } = choice.open;
  const loaded = installed
    .map((text) => ({ text, version: parseVersion(text)?.version }))
    .filter((v): v is { text: string; version: [number, number, number] } => v.version !== undefined && (!constraints || admits(constraints, v.version)))
    .sort((a, b) => compareVersions(b.version, a.version))[0];
  if (!loaded) return choice;
  const why = `Packer loads the installed proxmox plugin ${loaded.text}${requirement ? ` (newest installed that "${requirement}" admits)` : ''}`;
  return compareVersions(loaded.version, MODERN_PLUGIN) < 0
    ? { dialect: 'legacy', target: choice.target, reason: `${why}, older than 1.2.0: no boot_iso, no type/index` }
    : { dialect: 'modern', target: choice.target, reason: `${why}, 1.2.0 or newer` };
}
