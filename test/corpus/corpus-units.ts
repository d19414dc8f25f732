// The corpus as units hclx must handle: every directory Packer would load, every standalone
// template file, every legacy JSON template, each with the var files it needs. Shared by the
// corpus walk test.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TypeConstraint } from '../../src/hcl/model.js';
import { CORPUS } from '../support/shared.js';

export { CORPUS };

export interface CorpusUnit {
  /** Path relative to the corpus (a directory or a file). */
  path: string;
  varFiles: string[];
  vars: Array<[string, string]>;
  /** Short id for test names and tables. */
  id: string;
}

/** Tags by corpus-relative path, from MANIFEST.tsv. */
export function manifestTags(root: string = CORPUS): Map<string, Set<string>> {
  const tags = new Map<string, Set<string>>();
  const lines = readFileSync(join(root, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
  for (const line of lines) {
    const [repo, , path, , tagList] = line.split('\t');
    tags.set(`${repo!.replace('/', '__')}/${path}`, new Set((tagList ?? '').split(',').filter(Boolean)));
  }
  return tags;
}

function walkDirs(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? [p, ...walkDirs(p)] : [];
  });
}

const CONFIG = /\.pkr\.(hcl|json)$/;

/** In EXTRA vars: a list of one dummy element of the variable's declared element type. */
export const ONE_ELEMENT = '<one dummy element>';

/** Variables that directories need beyond their var files to reach their ISO blocks. */
const EXTRA: Record<string, { varFiles?: string[]; vars?: Array<[string, string]> }> = {
  'AnH3LL__packer-proxmox-template/packer/templates': { vars: [['os_dist', 'debian'], ['os_version', '12']] },
  // `sources = ["source.proxmox-iso.${var.variant}"]`, and variant defaults to env("VARIANT"):
  // without a variant Packer stops with "Invalid source reference" ("source.proxmox-iso.").
  'Thulium-Drake__proxmox-packer': { vars: [['variant', 'default']] },
  // Its example var file predates its variables (packer_image lacks "onboot", which Packer refuses
  // too) and keeps the ISO on storage; this boot_iso downloads on the node, through locals and a
  // dynamic "boot_iso" block.
  'Trinity-Technical-Services-LLC__proxmox-packer-framework/packer': {
    vars: [
      [
        'boot_iso',
        '{ iso_checksum = "sha256:8ff2a47e2f3bfe442617fceb7ef289b7b1d2d0502089dbbd505d5368b2b3a90f", iso_file = null, ' +
          'iso_urls = ["https://download.rockylinux.org/pub/rocky/9/isos/x86_64/Rocky-9.6-x86_64-dvd.iso"], cd_label = null, index = null, ' +
          'iso_download_pve = true, iso_storage_pool = "local", iso_target_extension = null, iso_target_path = null, keep_cdrom_device = null, type = null, unmount = true }',
      ],
      // local.boot_iso reads local.disks[0]: one disk of the declared shape.
      ['disks', ONE_ELEMENT],
    ],
  },
};

/** The units of the corpus at `root` (the shared one, or a copy laid out with real symlinks). */
export function corpusUnits(root: string = CORPUS): { units: CorpusUnit[]; legacyJson: string[] } {
  const tags = manifestTags(root);
  const units: CorpusUnit[] = [];
  for (const abs of walkDirs(root)) {
    const dir = relative(root, abs);
    const names = readdirSync(abs);
    const configs = names.filter((n) => CONFIG.test(n));
    if (configs.length === 0) continue;
    const isDirectory = configs.some((n) => tags.get(`${dir}/${n}`)?.has('directory'));
    const extra = EXTRA[dir] ?? {};
    const extraFiles = (extra.varFiles ?? []).map((f) => join(abs, f));
    if (isDirectory) {
      const varFiles = names.filter((n) => /\.(pkr|pk)vars\.hcl$/.test(n) && !/\.auto\.pkrvars\.hcl$/.test(n)).map((n) => join(abs, n));
      const vars = extra.vars ?? [];
      units.push({ path: dir, varFiles: extraFiles, vars, id: dir });
      for (const vf of varFiles) units.push({ path: dir, varFiles: [...extraFiles, vf], vars, id: `${dir} -var-file ${vf.slice(abs.length + 1)}` });
    } else {
      for (const n of configs) units.push({ path: `${dir}/${n}`, varFiles: extraFiles, vars: extra.vars ?? [], id: `${dir}/${n}` });
    }
  }
  const legacyJson = [...tags.entries()].filter(([p, t]) => t.has('json') && !CONFIG.test(p) && !t.has('json_varfile')).map(([p]) => p);
  return { units, legacyJson };
}

/** Whether a unit contains a file the manifest marks as not parsing. */
export function hasInvalidSyntax(unit: CorpusUnit, tags: Map<string, Set<string>>, root: string = CORPUS): boolean {
  const loaded = (n: string) => CONFIG.test(n) || /\.auto\.pkrvars\.(hcl|json)$/.test(n);
  const files = CONFIG.test(unit.path) ? [unit.path] : readdirSync(join(root, unit.path)).filter(loaded).map((n) => `${unit.path}/${n}`);
  const all = [...files, ...unit.varFiles.map((f) => relative(root, f))];
  return all.some((f) => tags.get(f)?.has('invalid_syntax'));
}

/** A plausible value for an unset variable, as -var text (HCL for complex types), by type and name. */
export function dummyValue(name: string, type: TypeConstraint | undefined, oneElement = false): string {
  if (oneElement && (type?.kind === 'list' || type?.kind === 'set')) return `[${hclDummy(name, type.element)}]`;
  const kind = type?.kind ?? 'string';
  switch (kind) {
    case 'number':
      return '1';
    case 'bool':
      return 'false';
    case 'list':
    case 'set':
    case 'tuple':
      return '[]';
    case 'map':
      return '{}';
    case 'object': {
      const t = type as Extract<TypeConstraint, { kind: 'object' }>;
      return `{ ${Object.entries(t.attributes)
        .map(([k, v]) => `${k} = ${hclDummy(k, v)}`)
        .join(', ')} }`;
    }
    default:
      return stringDummy(name);
  }
}

function hclDummy(name: string, type: TypeConstraint): string {
  return type.kind === 'string' || type.kind === 'any' ? JSON.stringify(stringDummy(name)) : dummyValue(name, type);
}

function stringDummy(name: string): string {
  if (/checksum/.test(name)) return 'none';
  if (/iso_file|iso_path/.test(name)) return 'local:iso/dummy.iso';
  if (/storage|pool/.test(name)) return 'local';
  if (/url/.test(name)) return 'https://pve.example.invalid:8006/api2/json';
  return 'dummy';
}
