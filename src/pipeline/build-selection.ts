// Which ISO specs belong to the builds `packer build -only/-except` will run, so hclx downloads
// nothing Packer will not use. A spec's builds are named as Packer names them,
// `[<build name>.]<source type>.<source name>`; the glob matching itself is Packer's
// (packer/filter.ts). When a build's name cannot be known before Packer runs, its specs are kept:
// downloading one ISO too many is better than a build without its ISO.

import { HclxError } from '../errors.js';
import { evaluate } from '../hcl/evaluate.js';
import type { EvalContext } from '../hcl/evaluate.js';
import type { Attribute, Block, Value } from '../hcl/model.js';
import { BUILD_SCHEMA, PROXMOX_SOURCE_SCHEMA } from '../hcl/json-schema.js';
import { packerBuildName, selectBuilds } from '../packer/filter.js';
import type { IsoSpec } from '../template/iso-spec.js';
import { resolveBuildSources } from '../template/build-sources.js';
import type { Template } from '../template/load.js';

/** The Packer build names a spec is part of; undefined entries are names hclx cannot know. */
export interface SpecBuilds {
  spec: IsoSpec;
  names: Array<string | undefined>;
}

function safeValue(expr: Attribute['expr'], context: EvalContext): Value | undefined {
  try {
    return evaluate(expr, context);
  } catch (e) {
    if (e instanceof HclxError) return undefined;
    throw e;
  }
}

/** JSON-syntax bodies make new Block objects on each read: a block is known by its place. */
function sameBlock(a: Block | undefined, b: Block | undefined): boolean {
  if (!a || !b) return a === b;
  return a.range.file === b.range.file && a.range.start.offset === b.range.start.offset;
}

function attributeOf(block: Block, name: string, schema = BUILD_SCHEMA): Attribute | undefined {
  return block.body.content(schema).find((i): i is Attribute => i.kind === 'attribute' && i.name === name);
}

/** For each spec, the names of the builds it is part of. */
export function specBuilds(template: Template, context: EvalContext, specs: readonly IsoSpec[]): SpecBuilds[] {
  const builds = resolveBuildSources(template, context).map((entry) => {
    const nameAttr = attributeOf(entry.build, 'name');
    const name = nameAttr ? safeValue(nameAttr.expr, context) : '';
    return { entry, buildName: typeof name === 'string' ? name : undefined, known: nameAttr === undefined || typeof name === 'string' };
  });
  return specs.map((spec) => {
    const names: Array<string | undefined> = [];
    const { type, name, block, override } = spec.source;
    for (const build of builds) {
      const nameOf = (sourceName: string | undefined) =>
        build.known && sourceName !== undefined ? packerBuildName({ buildName: build.buildName, sourceType: type, sourceName }) : undefined;
      if (build.entry.unknown) names.push(undefined);
      for (const use of build.entry.uses) {
        if (!sameBlock(use.source, block) || !sameBlock(use.override, override)) continue;
        if (!override) names.push(nameOf(name));
        else names.push(nameOf(attributeOf(override, 'name', PROXMOX_SOURCE_SCHEMA) ? spec.source.overrideName : name));
      }
    }
    return { spec, names };
  });
}

/**
 * The specs whose builds `-only`/`-except` (raw flag values, in Packer's syntax) leave to run.
 * With neither flag every spec is selected. Throws UsageError for a pattern Packer would reject.
 */
export function selectSpecs(template: Template, context: EvalContext, specs: readonly IsoSpec[], only: readonly string[], except: readonly string[]): IsoSpec[] {
  if (only.length === 0 && except.length === 0) return [...specs];
  selectBuilds([], only, except); // a pattern Packer rejects is an error even when no build is named
  return specBuilds(template, context, specs)
    .filter(({ names }) => names.length === 0 || names.some((n) => n === undefined || selectBuilds([n], only, except).length > 0))
    .map(({ spec }) => spec);
}
