// Builds the engine's requests from the template's ISO specs: only specs with iso_download_pve = true,
// with their URLs, resolved checksum (a `file:` sums file is fetched here, on the runner, as Packer
// does), storage, node and the source's connection (falling back to PROXMOX_* like the plugin).
// Every problem of every spec is collected and reported together.

import { HclxError, TemplateError, TemplateErrors, type SourceRange } from '../errors.js';
import { isUnknown, type Value } from '../hcl/model.js';
import type { Logger } from '../log.js';
import { resolveConnection, type PveSourceSettings } from '../pve/connection.js';
import { resolveChecksum } from '../resolve/checksum.js';
import { CONNECTION_FIELDS, fieldValue, isoUrls, wantsPveDownload, type IsoSpec } from '../template/iso-spec.js';
import type { IsoRequest } from './request.js';

export interface RequestOptions {
  /** Packer's working directory (relative `file:` checksums). */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** `--ca-file` for the Proxmox API. */
  caFile?: string;
  signal?: AbortSignal;
  logger?: Logger;
}

function str(v: Value | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function blockName(spec: IsoSpec): string {
  return spec.kind === 'additional_iso_files' ? `additional_iso_files[${spec.index}]` : spec.kind;
}

/** Turns the specs that ask for a node-side download into requests (others are ignored). */
export async function requestsFromSpecs(specs: readonly IsoSpec[], options: RequestOptions): Promise<IsoRequest[]> {
  const errors: HclxError[] = [];
  const requests: IsoRequest[] = [];
  await Promise.all(
    specs.filter(wantsPveDownload).map(async (spec) => {
      try {
        requests.push(await requestFromSpec(spec, options));
      } catch (error) {
        if (error instanceof TemplateErrors) errors.push(...error.errors);
        else if (error instanceof HclxError) errors.push(error);
        else throw error;
      }
    }),
  );
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    // Template problems exit 2; anything operational (a sums file that cannot be fetched) wins with exit 1.
    const operational = errors.find((e) => e.exitCode !== 2);
    throw operational ?? new TemplateErrors(errors);
  }
  // Keep the template's order whatever order the checksums resolved in.
  const order = new Map(specs.map((s, i) => [s.label, i]));
  return requests.sort((a, b) => (order.get(a.label) ?? 0) - (order.get(b.label) ?? 0));
}

export async function requestFromSpec(spec: IsoSpec, options: RequestOptions): Promise<IsoRequest> {
  const problems: HclxError[] = [];
  const at = (range: SourceRange | undefined) => (range ? { range } : {});
  const urls = isoUrls(spec);
  const urlField = spec.fields.iso_urls ?? spec.fields.iso_url;
  if (urls.length === 0) {
    problems.push(new TemplateError(`${spec.label} has iso_download_pve = true but no iso_url or iso_urls.`, { code: 'E_ISO_URL', ...at(spec.range), hint: 'Add iso_url = "https://.../<name>.iso" (or iso_urls for mirrors).' }));
  }
  const storageField = spec.fields.iso_storage_pool;
  const storage = str(fieldValue(spec, 'iso_storage_pool'));
  if (!storage) {
    problems.push(new TemplateError(`${spec.label} has iso_download_pve = true but no iso_storage_pool.`, { code: 'E_ISO_STORAGE', ...at(storageField?.attribute.range ?? spec.range), hint: 'Add iso_storage_pool = "local" (a file-based storage that accepts ISOs).' }));
  }
  const checksumField = spec.fields.iso_checksum;
  const rawChecksum = fieldValue(spec, 'iso_checksum');
  if (rawChecksum === undefined || isUnknown(rawChecksum)) {
    problems.push(new TemplateError(`${spec.label} has no known iso_checksum.`, { code: 'E_ISO_CHECKSUM', ...at(checksumField?.attribute.range ?? spec.range), hint: 'Set iso_checksum ("sha256:<hex>", "file:<URL of SHA256SUMS>"), or "none" to skip verification (hclx then never reuses an existing file).' }));
  }

  const settings: PveSourceSettings = {};
  const ranges: Partial<Record<keyof PveSourceSettings, SourceRange>> = {};
  for (const field of CONNECTION_FIELDS) {
    let setting;
    try {
      setting = spec.connection.get(field);
    } catch (error) {
      if (error instanceof HclxError) problems.push(error);
      continue;
    }
    if (setting.range) ranges[field] = setting.range;
    const v = setting.value;
    if (v === undefined || v === null || isUnknown(v)) continue;
    if (field === 'insecure_skip_tls_verify') settings.insecure_skip_tls_verify = v === true || v === 'true';
    else settings[field] = String(v);
  }
  let connection;
  try {
    connection = resolveConnection(settings, {
      ...(options.env ? { env: options.env } : {}),
      ...(options.caFile ? { caFile: options.caFile } : {}),
      ranges,
      sourceRange: spec.source.block.range,
      sourceName: `source "${spec.source.type}" "${spec.source.name}"`,
    });
  } catch (error) {
    if (error instanceof HclxError) problems.push(error);
    else throw error;
  }
  const node = connection?.node;
  if (connection && !node) {
    problems.push(new TemplateError(`source "${spec.source.type}" "${spec.source.name}" sets no node.`, { code: 'E_PVE_NODE', ...at(spec.source.block.range), hint: 'Set node = "<node name>" (as shown by `pvecm nodes`) in the source block.' }));
  }
  if (problems.length) throw problems.length === 1 ? problems[0] : new TemplateErrors(problems);

  const checksum = await resolveChecksum(String(rawChecksum), {
    isoUrl: urls[0]!,
    cwd: options.cwd,
    ...at(checksumField?.attribute.range),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    label: spec.label,
    source: `${spec.source.type}.${spec.source.overrideName ?? spec.source.name}`,
    block: blockName(spec),
    range: spec.range,
    ...(urlField ? { urlRange: urlField.attribute.range } : {}),
    ...(storageField ? { storageRange: storageField.attribute.range } : {}),
    ...(ranges.node ? { nodeRange: ranges.node } : {}),
    urls,
    checksum: checksum.algorithm === 'none' ? { algorithm: 'none' } : { algorithm: checksum.algorithm, value: checksum.value },
    storage: storage!,
    node: node!,
    connection: connection!,
  };
}
