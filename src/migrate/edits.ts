// Turns migration operations into text edits of the original files, with the shared edit layer
// (src/hcl/edit.ts): only the lines an operation is about change, new text takes the file's line
// ending and indentation, and `=` lines up with the attributes around it like `packer fmt`.
//
// Comment ownership follows hclwrite: comment lines directly above an attribute and a comment on
// its own line belong to it, so a moved attribute takes them along (`commentsFrom`) and a removed
// one takes them away.

import { insertAttributes, removeItems, replaceWithAttributes, replaceWithBlock } from '../hcl/edit.js';
import type { BlockSpec, NewAttribute as EditAttribute } from '../hcl/edit.js';
import type { Attribute, BodyItem, SourceFile, TextEdit } from '../hcl/model.js';
import type { NewAttribute, NewBlock, Operation } from './plan.js';
import { operationFile } from './plan.js';

/** Text edits for all operations, grouped by file path, in offset order. */
export function operationsToEdits(operations: readonly Operation[]): Map<string, { file: SourceFile; edits: TextEdit[] }> {
  const byFile = new Map<string, { file: SourceFile; edits: TextEdit[] }>();
  const removed: BodyItem[] = [];
  const add = (file: SourceFile, edits: TextEdit[]) => {
    let entry = byFile.get(file.path);
    if (!entry) byFile.set(file.path, (entry = { file, edits: [] }));
    entry.edits.push(...edits);
  };
  for (const op of operations) {
    const file = operationFile(op);
    if (op.kind === 'remove') {
      removed.push(op.item);
      add(file, []);
    } else add(file, operationEdits(op));
  }
  for (const e of removeItems(removed)) add(byFile.get(e.file)!.file, [e]);
  for (const entry of byFile.values()) entry.edits.sort((a, b) => a.start - b.start || a.end - b.end);
  return byFile;
}

function operationEdits(op: Exclude<Operation, { kind: 'remove' }>): TextEdit[] {
  switch (op.kind) {
    case 'replace-text':
      return [{ file: op.file.path, start: op.start, end: op.end, text: op.text }];
    case 'replace-attribute':
      // The first new attribute takes the old one's place and keeps its comments (its same-line one
      // only when the new line still means the same); the others follow, with the comments of
      // attributes they move (a kept iso_checksum).
      return replaceWithAttributes(
        op.attribute,
        op.attributes.map((a) => editAttribute(a.commentsOf === op.attribute ? { name: a.name, value: a.value } : a)),
        {
          keepLeadComments: true,
          keepTrailingComment: !op.attributes.some((a) => a.commentsOf === op.attribute && a.leadCommentsOnly),
          alignWith: op.attribute,
          unaligned: 'none',
        },
      );
    case 'replace-with-block':
      // The replaced attribute's lead comments stay above the block (they usually introduce the section).
      return replaceWithBlock(op.attribute, blockSpec(op.block), { keepLeadComments: true });
    case 'append-attributes': {
      const last = op.block.body.content().filter((i): i is Attribute => i.kind === 'attribute').at(-1);
      return insertAttributes(op.block.body, 'end', op.attributes.map(editAttribute), { ...(last ? { alignWith: last } : {}), unaligned: 'none' });
    }
  }
}

function editAttribute(a: NewAttribute): EditAttribute {
  const comments = a.commentsOf ? { commentsFrom: a.commentsOf, ...(a.leadCommentsOnly ? { withoutTrailingComment: true } : {}) } : {};
  return 'hcl' in a.value ? { name: a.name, expression: a.value.hcl, ...comments } : { name: a.name, source: a.value.source, ...comments };
}

function blockSpec(block: NewBlock): BlockSpec {
  return { type: block.type, labels: block.labels, attrs: block.attributes.map(editAttribute) };
}
