// ISO file names and volume ids exactly as Proxmox VE derives them, so hclx can predict the volid a
// download-url call will produce before (or without) making it. Facts: pve-api.md §1.3 (pve-storage
// `normalize_content_filename` and `$ISO_EXT_RE_0`), packer-plugin-proxmox.md §1.4.

import { TemplateError } from '../errors.js';
import type { SourceRange } from '../errors.js';

/**
 * Proxmox's filename normalisation for download-url/upload: Perl `chomp` (one trailing newline),
 * strip everything up to the last `/` or `\`, then every character outside `[a-zA-Z0-9_.-]` becomes `_`.
 * Applied per UTF-16 code unit is wrong for astral characters (Perl sees bytes or characters
 * depending on decoding); we replace per code point, which is what PVE does for decoded UTF-8 params.
 */
export function normalizeFilename(name: string): string {
  const chomped = name.endsWith('\n') ? name.slice(0, -1) : name;
  const base = chomped.replace(/^.*[/\\]/s, '');
  return Array.from(base, (ch) => (/^[a-zA-Z0-9_.-]$/.test(ch) ? ch : '_')).join('');
}

/** PVE accepts ISO content only with a name matching `[^/]+\.(?:iso|img)$` (case-insensitive). */
export function hasIsoExtension(filename: string): boolean {
  return /^[^/]+\.(?:iso|img)$/i.test(filename);
}

/**
 * The file name of a URL: the last segment of its path, with query and fragment stripped and
 * percent-encoding decoded (`My%20ISO.iso` → `My ISO.iso`, which Proxmox then stores as
 * `My_ISO.iso`). The Packer plugin uses Go's `path.Base` on the raw URL instead, which keeps
 * `?query` and `%XX` in the name; hclx chooses the decoded name because it is the file the URL
 * names, and it predicts the stored name by normalising it as Proxmox will.
 */
export function urlFileName(url: string): string {
  let path = url;
  const schemeEnd = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.exec(path);
  path = path.replace(/[?#].*$/s, '');
  if (schemeEnd) {
    // drop scheme://authority
    const afterScheme = path.slice(schemeEnd[0].length);
    const slash = afterScheme.indexOf('/');
    path = slash >= 0 ? afterScheme.slice(slash) : '';
  }
  const segment = path.replace(/\/+$/, '').replace(/^.*\//s, '');
  try {
    return decodeURIComponent(segment);
  } catch {
    // A stray `%` that is not an escape: keep the raw text (Proxmox turns `%` into `_` anyway).
    return segment;
  }
}

/** Where a name came from, for error messages. */
export interface NameOrigin {
  /** e.g. `iso_url` or `iso_urls[1]` */
  field: string;
  range?: SourceRange;
}

/**
 * The name Proxmox will store a URL's ISO under. Throws a TemplateError (exit 2) when it would be
 * refused with "wrong file extension", so the mistake surfaces before any network call.
 */
export function isoFileNameFromUrl(url: string, origin: NameOrigin): string {
  const raw = urlFileName(url);
  const name = unhidden(normalizeFilename(raw));
  if (!hasIsoExtension(name)) {
    throw new TemplateError(
      `${origin.field} '${url}' names the file '${raw || '(none)'}', and Proxmox stores ISO content only under a name ending in .iso or .img (download-url would fail with "wrong file extension").`,
      {
        code: 'E_ISO_NAME',
        range: origin.range,
        hint: 'Point the URL at the .iso/.img file itself; compressed images (.iso.gz, .iso.bz2, .img.xz) cannot be attached by name, so keep such an ISO on the classic upload path (iso_download_pve = false).',
      },
    );
  }
  return checkedIsoName(name, url, origin);
}

/**
 * Proxmox stores a name that starts with `.` as given, but its content listing (a shell glob) skips
 * hidden files, so the ISO would never show up on the storage, in the GUI or to hclx's reuse
 * check. hclx names it with `_` in place of the leading dots, as Proxmox writes other characters
 * it cannot keep.
 */
function unhidden(name: string): string {
  return name.replace(/^\.+/, (dots) => '_'.repeat(dots.length));
}

/** download-url's `filename` takes at most 255 characters (names are ASCII once normalised). */
export const MAX_FILENAME_LENGTH = 255;

/**
 * The name, or a TemplateError at the URL's attribute when Proxmox would refuse it for its length.
 * `urlName`: the URL's own name, when `name` is longer (the checksum scheme adds to it).
 */
export function checkedIsoName(name: string, url: string, origin: NameOrigin, urlName?: string): string {
  if (name.length <= MAX_FILENAME_LENGTH) return name;
  throw new TemplateError(
    `${origin.field} '${url}' would be stored as '${name.slice(0, 40)}...${name.slice(-20)}', a name of ${name.length} characters, and Proxmox refuses names longer than ${MAX_FILENAME_LENGTH} (download-url: "value may only be ${MAX_FILENAME_LENGTH} characters long").`,
    {
      code: 'E_ISO_NAME',
      range: origin.range,
      hint:
        urlName !== undefined && urlName.length <= MAX_FILENAME_LENGTH
          ? `The URL's own name fits; --iso-name url stores the ISO under it (the checksum scheme adds ${name.length - urlName.length} characters).`
          : 'Serve the ISO under a shorter name, or let Packer upload it (iso_download_pve = false).',
    },
  );
}

/** A storage id as Proxmox accepts it (`pve-storage-id`). */
export function isStorageId(storage: string): boolean {
  return /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(storage);
}

/** `<storage>:iso/<name>` */
export function volid(storage: string, name: string): string {
  return `${storage}:iso/${name}`;
}

/** Splits `<storage>:iso/<name>`; undefined when the text is not an ISO volid. */
export function parseIsoVolid(text: string): { storage: string; name: string } | undefined {
  const m = /^([^:/\s]+):iso\/(.+)$/.exec(text);
  if (!m || m[2]!.includes('/')) return undefined;
  return { storage: m[1]!, name: m[2]! };
}

/** Number of hex digits of the sha256 kept in a content-addressed name. */
export const CHECKSUM_NAME_HEX_DIGITS = 12;

/**
 * `--iso-name checksum`: `<stem>.<first 12 hex of the sha256>.<ext>` for an already normalised
 * ISO name, e.g. `debian-12.iso` + `ab12…` → `debian-12.ab12cd34ef56.iso`. Pure, for the download
 * engine: the name itself proves the content, so a re-run can reuse the file after a listing.
 */
export function checksumFileName(name: string, sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/i.test(sha256Hex)) throw new TypeError(`checksumFileName needs a sha256 hex digest, got '${sha256Hex}'`);
  const ext = /\.(?:iso|img)$/i.exec(name);
  if (!ext) throw new TypeError(`checksumFileName needs an .iso/.img name, got '${name}'`);
  const stem = name.slice(0, name.length - ext[0].length);
  const digest = sha256Hex.slice(0, CHECKSUM_NAME_HEX_DIGITS).toLowerCase();
  return normalizeFilename(`${stem}.${digest}${ext[0]}`);
}
