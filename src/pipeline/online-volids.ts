// The online volid strategy for the render seam: the Proxmox node downloads every ISO the rendered
// template needs (the download engine: reuse, verify, parallel download-url tasks), and the volids
// the engine reports are the ones the rewrite writes. Specs of builds Packer will not run
// (-only/-except) are not downloaded: their volid is predicted, as `render --offline` does (same naming policy).

import { InternalError } from '../errors.js';
import type { Logger } from '../log.js';
import { provisionIsos, requestsFromSpecs } from '../provision/index.js';
import type { IsoRequest, ProvisionOptions, ProvisionResult } from '../provision/index.js';
import type { IsoSpec } from '../template/iso-spec.js';
import type { PreparedTemplate } from '../template/prepare.js';
import { offlineVolids } from './render.js';
import type { VolidResolver } from './render.js';

export interface OnlineVolidOptions extends Omit<ProvisionOptions, 'signal' | 'logger'> {
  /** Packer's working directory (relative `file:` checksums). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `--ca-file` for the Proxmox API. */
  caFile?: string;
  signal?: AbortSignal;
  logger?: Logger;
  /** Specs whose builds Packer will not run: predicted, not downloaded. */
  skip?: (spec: IsoSpec) => boolean;
  /** Told the engine's requests before any download starts (connections, for a later cleanup). */
  onRequests?: (requests: readonly IsoRequest[]) => void;
}

export interface OnlineVolids {
  /** The volid of every spec given, in the same order. */
  volids: string[];
  /** What the engine did (empty when every spec was skipped). */
  provisioned: ProvisionResult;
  /** Specs that were not downloaded because their builds do not run. */
  skipped: IsoSpec[];
}

const NOTHING: ProvisionResult = { isos: [], volids: new Map(), rows: [], seconds: 0 };

/** Downloads (or reuses) every spec's ISO on its node and returns the volids in spec order. */
export async function downloadVolids(specs: readonly IsoSpec[], prepared: PreparedTemplate, options: OnlineVolidOptions): Promise<OnlineVolids> {
  const skipped = specs.filter((s) => options.skip?.(s) ?? false);
  const wanted = specs.filter((s) => !skipped.includes(s));
  const requests = await requestsFromSpecs(wanted, {
    cwd: options.cwd,
    env: options.env,
    ...(options.caFile ? { caFile: options.caFile } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  options.onRequests?.(requests);
  const { cwd: _cwd, env: _env, caFile: _ca, skip: _skip, onRequests: _on, ...engine } = options;
  const provisioned = requests.length > 0 ? await provisionIsos(requests, engine) : NOTHING;
  const predicted = skipped.length > 0 ? await offlineVolids(options.isoName ?? 'checksum', () => undefined, options.cwd)(skipped, prepared) : [];
  const volids = specs.map((spec) => {
    const at = skipped.indexOf(spec);
    if (at >= 0) return predicted[at]!;
    const volid = provisioned.volids.get(spec.label);
    if (volid === undefined) throw new InternalError(`the download engine returned no volid for ${spec.label}.`);
    return volid;
  });
  return { volids, provisioned, skipped };
}

/** A resolver for renderTemplate() that downloads, and keeps what the engine did for the caller. */
export function onlineVolidResolver(options: OnlineVolidOptions): { resolveVolids: VolidResolver; result(): OnlineVolids | undefined } {
  let last: OnlineVolids | undefined;
  return {
    resolveVolids: async (specs, prepared) => {
      last = await downloadVolids(specs, prepared, options);
      return last.volids;
    },
    result: () => last,
  };
}
