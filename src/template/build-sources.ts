// Which source blocks each build uses, resolved exactly as Packer resolves them (hcl2template
// `sourceRefFromString` and `BuildBlock` decoding, the same in 1.6.6 and 1.16):
//   - a reference is split on "."; fewer than two parts is no reference; with more than two the
//     first part is dropped whatever it says (`source.`, `sources.`, `x.`, even an empty one) and
//     the next two are the type and the name (any further parts are ignored);
//   - in `sources = [...]` the type and the name must be HCL identifiers, else Packer stops with
//     "Invalid source reference";
//   - the reference must name a `source` block of the template (any type), else Packer stops with
//     "Unknown source <type>.<name>" (a build-level `source "<ref>" {}` block label included).
// Extraction and -only/-except selection both use this one resolution, so a reference Packer
// accepts is never skipped and one it refuses is a template error at its line.

import { HclxError, TemplateError, TemplateErrors } from '../errors.js';
import type { SourceRange } from '../errors.js';
import { evaluate } from '../hcl/evaluate.js';
import type { EvalContext } from '../hcl/evaluate.js';
import { isUnknown } from '../hcl/model.js';
import type { Attribute, Block, Value } from '../hcl/model.js';
import { BUILD_SCHEMA, ROOT_SCHEMA } from '../hcl/json-schema.js';
import type { Template } from './load.js';

export interface SourceRef {
  type: string;
  name: string;
}

/** Packer's split of a reference string; undefined where Packer gets no reference (NoSource). */
export function sourceRefFromString(text: string): SourceRef | undefined {
  let parts = text.split('.');
  if (parts.length < 2) return undefined;
  if (parts.length > 2) parts = parts.slice(1);
  return { type: parts[0]!, name: parts[1]! };
}

const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}-]*$/u;

/** hclsyntax.ValidIdentifier: a letter or `_`, then letters, digits, `_` and `-`. */
export function isHclIdentifier(text: string): boolean {
  return IDENTIFIER.test(text);
}

/** One use of a source by a build: from its `sources` list, or a build-level `source "<ref>" {}` block. */
export interface SourceUse {
  build: Block;
  source: Block;
  /** The build-level source block, when the use is one. */
  override?: Block;
}

export interface BuildSources {
  build: Block;
  uses: SourceUse[];
  /** The `sources` attribute cannot be evaluated before Packer runs, so its uses are unknown. */
  unknown?: { reason: string; range: SourceRange };
}

/** Every build block of the template, in file order. */
export function buildBlocks(template: Template): Block[] {
  return template.files.flatMap((f) => f.source.body.content(ROOT_SCHEMA).filter((i): i is Block => i.kind === 'block' && i.type === 'build'));
}

/** Every source block of the template by `<type>.<name>` (any type). */
function sourceBlocks(template: Template): Map<string, Block> {
  const sources = new Map<string, Block>();
  for (const file of template.files) {
    for (const item of file.source.body.content(ROOT_SCHEMA)) {
      if (item.kind === 'block' && item.type === 'source' && !sources.has(`${item.labels[0]}.${item.labels[1]}`)) sources.set(`${item.labels[0]}.${item.labels[1]}`, item);
    }
  }
  return sources;
}

/**
 * The sources of every build. Throws a TemplateError (or TemplateErrors) for each reference
 * Packer refuses: not two or three dot-separated parts of identifiers, or no such source block.
 */
export function resolveBuildSources(template: Template, context: EvalContext): BuildSources[] {
  const sources = sourceBlocks(template);
  const known = [...sources.keys()];
  const errors: HclxError[] = [];
  const result: BuildSources[] = [];
  for (const build of buildBlocks(template)) {
    const entry: BuildSources = { build, uses: [] };
    for (const item of build.body.content(BUILD_SCHEMA)) {
      if (item.kind === 'attribute' && item.name === 'sources') {
        const refs = listValue(item, context, errors);
        if (refs === undefined) continue;
        if (typeof refs === 'string') {
          entry.unknown = { reason: refs, range: item.range };
          continue;
        }
        for (const text of refs) {
          const ref = sourceRefFromString(text);
          const at = elementRange(item, text);
          if (!ref || !isHclIdentifier(ref.type) || !isHclIdentifier(ref.name)) {
            errors.push(
              new TemplateError(`"${text}" is not a source reference, so Packer stops with "Invalid source reference".`, {
                code: 'E_SOURCE_REF',
                range: at,
                hint: 'Write it as "source.<type>.<name>" (or "<type>.<name>"), each part an identifier: a letter or _, then letters, digits, _ or -.',
              }),
            );
            continue;
          }
          const source = sources.get(`${ref.type}.${ref.name}`);
          if (!source) errors.push(unknownSource(text, ref, at, known));
          else entry.uses.push({ build, source });
        }
      } else if (item.kind === 'block' && item.type === 'source') {
        const label = item.labels[0] ?? '';
        const ref = sourceRefFromString(label);
        const source = ref && sources.get(`${ref.type}.${ref.name}`);
        if (!source) errors.push(unknownSource(label, ref, item.typeRange, known));
        else entry.uses.push({ build, source, override: item });
      }
    }
    result.push(entry);
  }
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new TemplateErrors(errors);
  return result;
}

function unknownSource(text: string, ref: SourceRef | undefined, range: SourceRange, known: string[]): TemplateError {
  const name = ref ? `${ref.type}.${ref.name}` : text;
  return new TemplateError(`"${text}" names no source block (${name}), so Packer stops with "Unknown source ${name}".`, {
    code: 'E_SOURCE_REF',
    range,
    hint: known.length > 0 ? `The template defines: ${known.map((k) => `source.${k}`).join(', ')}.` : 'The template defines no source block.',
  });
}

/** The strings of a `sources` list; a string: why it is unknown; undefined after an error. */
function listValue(attr: Attribute, context: EvalContext, errors: HclxError[]): string[] | string | undefined {
  let value: Value;
  try {
    value = evaluate(attr.expr, context);
  } catch (e) {
    if (e instanceof HclxError) {
      errors.push(e);
      return undefined;
    }
    throw e;
  }
  if (isUnknown(value)) return value.reason;
  if (Array.isArray(value)) {
    const unknown = value.find(isUnknown);
    if (unknown) return unknown.reason;
    if (value.every((v): v is string => typeof v === 'string')) return value;
  }
  errors.push(
    new TemplateError(`sources must be a list of strings, not ${JSON.stringify(value)}.`, {
      code: 'E_SOURCE_REF',
      range: attr.range,
      hint: 'Write sources = ["source.<type>.<name>", ...].',
    }),
  );
  return undefined;
}

/** The place of a reference inside the `sources` expression when it is written literally, else the attribute's. */
function elementRange(attr: Attribute, text: string): SourceRange {
  const at = attr.expr.text.indexOf(JSON.stringify(text));
  if (at < 0) return attr.range;
  const start = attr.expr.range.start;
  const before = attr.expr.text.slice(0, at);
  const lines = before.split('\n');
  const line = start.line + lines.length - 1;
  const column = lines.length === 1 ? start.column + before.length : lines.at(-1)!.length + 1;
  const offset = start.offset + at;
  return { file: attr.range.file, start: { line, column, offset }, end: { line, column: column + JSON.stringify(text).length, offset: offset + JSON.stringify(text).length } };
}
