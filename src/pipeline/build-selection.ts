// Which ISO specs belong to the builds `packer build -only/-except` will run, so hclx downloads
// nothing Packer will not use. A spec's builds are named as Packer names them,
// `[<build name>.]<source type>.<source name>`; the glob matching itself is Packer's
// (packer/filter.ts). When a build's name cannot be known before Packer runs, its specs are kept:
// downloading one ISO too many is better than a build without its ISO.

import { HclxError } from '../errors.js';
import { evaluate } from '../hcl/evaluate.js';
import type { EvalContext } from '../hcl/evaluate.js';
import type { Attribute, Block, Value } from '../hcl/model.js';
import { BUILD_SCHEMA, PROXMOX_SOURCE_SCHEMA, ROOT_SCHEMA } from '../hcl/json-schema.js';
import { packerBuildName, selectBuilds } from '../packer/filter.js';
import type { IsoSpec } from '../template/iso-spec.js';
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

function sameBlock(a: Block, b: Block): boolean {
  return a.range.file === b.range.file && a.range.start.offset === b.range.start.offset;
}

function attributeOf(block: Block, name: string, schema = BUILD_SCHEMA): Attribute | undefined {
  return block.body.content(schema).find((i): i is Attribute => i.kind === 'attribute' && i.name === name);
}

/** Every build block of the template, in file order. */
function buildBlocks(template: Template): Block[] {
  return template.files.flatMap((f) => f.source.body.content(ROOT_SCHEMA).filter((i): i is Block => i.kind === 'block' && i.type === 'build'));
}

/** For each spec, the names of the builds it is part of. */
export function specBuilds(template: Template, context: EvalContext, specs: readonly IsoSpec[]): SpecBuilds[] {
  const builds = buildBlocks(template).map((block) => {
    const nameAttr = attributeOf(block, 'name');
    const name = nameAttr ? safeValue(nameAttr.expr, context) : '';
    return { block, buildName: typeof name === 'string' ? name : undefined, known: nameAttr === undefined || typeof name === 'string' };
  });
  return specs.map((spec) => {
    const names: Array<string | undefined> = [];
    const { type, name } = spec.source;
    for (const build of builds) {
      const nameOf = (sourceName: string | undefined) =>
        build.known && sourceName !== undefined ? packerBuildName({ buildName: build.buildName, sourceType: type, sourceName }) : undefined;
      if (spec.source.override) {
        const inThisBuild = build.block.body.content(BUILD_SCHEMA).some((i) => i.kind === 'block' && i.type === 'source' && sameBlock(i, spec.source.override!));
        if (!inThisBuild) continue;
        const nameAttr = attributeOf(spec.source.override, 'name', PROXMOX_SOURCE_SCHEMA);
        names.push(nameOf(nameAttr ? spec.source.overrideName : name));
        continue;
      }
      const sources = attributeOf(build.block, 'sources');
      if (!sources) continue;
      const refs = safeValue(sources.expr, context);
      if (!Array.isArray(refs)) {
        names.push(undefined);
        continue;
      }
      if (refs.some((r) => typeof r === 'string' && r.replace(/^source\./, '') === `${type}.${name}`)) names.push(nameOf(name));
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
