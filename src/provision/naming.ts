// The naming policy: which file name an ISO gets on the storage, and what an existing file of that
// name proves. See docs/reference/download.md "Names and reuse" for the reasoning.
//
//   checksum (default when a checksum is known): `<stem>.<first 12 hex of the checksum>.<ext>`.
//     Only a checksum-verified download-url can have created a file of that name, so a warm re-run
//     reuses it after one content listing, with no hashing on the node.
//   url: the URL's file name, normalised as Proxmox does. A same-named file could be anything, so it
//     is handed to download-url with the checksum and Proxmox verifies it (one hash pass, no transfer).
//   iso_checksum = "none": always the URL name; an existing file is refused unless --overwrite.

import { UsageError } from '../errors.js';
import { checkedIsoName, isoFileNameFromUrl, normalizeFilename } from '../resolve/names.js';
import type { NameOrigin } from '../resolve/names.js';

export type IsoNameMode = 'checksum' | 'url';

export type { Checksum } from '../resolve/checksum.js';
import type { Checksum } from '../resolve/checksum.js';

/** How an existing file of the target name may be treated. */
export type ReusePolicy =
  /** The name itself proves the content (content-addressed): reuse after a listing. */
  | 'trust-name'
  /** Ask Proxmox to verify it against the checksum (download-url with checksum; zero transfer). */
  | 'verify'
  /** Nothing can prove it: refuse unless the user asked to overwrite. */
  | 'refuse';

export interface TargetName {
  /** The file name as Proxmox will store it (already normalised). */
  filename: string;
  /** The naming scheme actually used (`url` when the checksum is `none`, whatever was asked). */
  scheme: IsoNameMode;
  reuse: ReusePolicy;
}

/** Number of hex digits of the checksum kept in a content-addressed name (48 bits: collisions are not a practical concern for ISOs on one storage). */
export const CHECKSUM_NAME_DIGITS = 12;

/**
 * Chooses the target file name for an ISO from its first URL (so the volid does not depend on which
 * mirror served it) and its checksum.
 */
export function chooseTargetName(firstUrl: string, checksum: Checksum, mode: IsoNameMode = 'checksum', origin: NameOrigin = { field: 'iso_url' }): TargetName {
  // Throws a TemplateError naming file:line:col when Proxmox would refuse the name.
  const base = isoFileNameFromUrl(firstUrl, origin);
  const ext = /\.(?:iso|img)$/i.exec(base)!;
  if (checksum.algorithm === 'none') return { filename: base, scheme: 'url', reuse: 'refuse' };
  if (mode === 'url') return { filename: base, scheme: 'url', reuse: 'verify' };
  const stem = base.slice(0, base.length - ext[0].length);
  const digest = checksum.value.toLowerCase().slice(0, CHECKSUM_NAME_DIGITS);
  // A stem that already carries this digest (a URL that is itself content-addressed) is not doubled.
  const filename = stem.toLowerCase().endsWith(`.${digest}`) ? base : `${stem}.${digest}${ext[0]}`;
  return { filename: checkedIsoName(normalizeFilename(filename), firstUrl, origin, base), scheme: 'checksum', reuse: 'trust-name' };
}

export function parseIsoNameMode(value: string | undefined): IsoNameMode {
  if (value === undefined || value === 'checksum') return 'checksum';
  if (value === 'url') return 'url';
  throw new UsageError(`--iso-name '${value}' is not a naming scheme.`, { hint: 'Use --iso-name checksum (default) or --iso-name url.' });
}
