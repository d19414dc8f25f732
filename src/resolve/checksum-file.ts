// Checksum ("sums") files, as go-getter reads them for `iso_checksum = "file:..."`: GNU lines
// (`<hex>  name`, `<hex> *name`), BSD lines (`SHA256 (name) = <hex>`, also OpenSSL's
// `SHA2-256(name)= <hex>`), and bare `<hex>` lines, which go-getter accepts for any file.
// The entry is chosen by the names go-getter tries: the ISO's file name, `*name`, `?name`, its
// path relative to the sums file's directory, and that path with `./`.

import { posix } from 'node:path';
import type { ChecksumAlgorithm } from '../pve/types.js';

export interface SumsEntry {
  /** 1-based line number in the sums file. */
  line: number;
  algorithm: ChecksumAlgorithm;
  /** Lowercase hex. */
  value: string;
  /** The name as written (with a `*`/`?` mode prefix for GNU lines); undefined for a bare hash. */
  name?: string;
}

const BY_LENGTH: Record<number, ChecksumAlgorithm> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' };
export const HEX_LENGTH: Record<ChecksumAlgorithm, number> = { md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 };

/** `SHA256`, `sha-256`, `SHA2-256` → `sha256`; undefined for an unknown name. */
export function algorithmFromName(name: string): ChecksumAlgorithm | undefined {
  const n = name.toLowerCase().replace(/^sha2-(?=\d{3}$)/, 'sha').replace(/-/g, '');
  return n in HEX_LENGTH ? (n as ChecksumAlgorithm) : undefined;
}

const HEX = /^[0-9a-fA-F]+$/;
const BSD_LINE = /^([A-Za-z0-9-]+)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)$/;

/** All checksum entries of a sums file; lines that are not entries (comments, PGP armour) are skipped. */
export function parseSumsFile(text: string): SumsEntry[] {
  const entries: SumsEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const bsd = BSD_LINE.exec(line);
    if (bsd) {
      const algorithm = algorithmFromName(bsd[1]!);
      const value = bsd[3]!.toLowerCase();
      if (algorithm && value.length === HEX_LENGTH[algorithm]) entries.push({ line: i + 1, algorithm, value, name: bsd[2]! });
      continue;
    }
    const m = /^(\S+)(?:\s+(.*))?$/.exec(line);
    const hex = m?.[1] ?? '';
    if (!HEX.test(hex)) continue;
    const algorithm = BY_LENGTH[hex.length];
    if (!algorithm) continue;
    const name = m?.[2]?.trim();
    entries.push({ line: i + 1, algorithm, value: hex.toLowerCase(), ...(name ? { name } : {}) });
  }
  return entries;
}

/**
 * The names an entry may carry for the ISO at `isoPath` (a URL path, decoded), given the path of
 * the sums file (URL path or local path), in go-getter's order.
 */
export function candidateNames(isoPath: string, sumsPath: string): string[] {
  const filename = posix.basename(isoPath);
  const rel = posix.relative(posix.dirname(sumsPath.replace(/\\/g, '/')), isoPath);
  return [...new Set([filename, `*${filename}`, `?${filename}`, rel, `./${rel}`, isoPath].filter(Boolean))];
}

/** The first entry (in file order) that is a bare hash or names one of `candidates`, as go-getter picks. */
export function findSumsEntry(entries: SumsEntry[], candidates: string[]): SumsEntry | undefined {
  const names = new Set(candidates);
  return entries.find((e) => e.name === undefined || names.has(e.name));
}
