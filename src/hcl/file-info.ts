// What src/hcl keeps about a parsed file beyond the public SourceFile: its line table and, for
// native HCL, where the comments are (edit.ts needs them to decide comment ownership).

import type { Node as JsonNode } from 'jsonc-parser';
import { InternalError } from '../errors.js';
import type { SourceFile } from './model.js';
import type { SourceText } from './source-text.js';

export interface FileInfo {
  src: SourceText;
  /** Native HCL: [start, end) of every comment, in text order. */
  comments: Array<[number, number]>;
  /** JSON syntax: the jsonc-parser tree. */
  json?: JsonNode;
}

const infos = new WeakMap<SourceFile, FileInfo>();

export function setFileInfo(file: SourceFile, info: FileInfo): void {
  infos.set(file, info);
}

export function fileInfo(file: SourceFile): FileInfo {
  const info = infos.get(file);
  if (!info) throw new InternalError(`"${file.displayPath}" was not produced by parseFile()`);
  return info;
}
