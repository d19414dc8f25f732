// Template → engine requests, the way every online command needs them: load the files as Packer
// does, collect variables (-var, -var-file, PKR_VAR_*, auto var files), extract and validate the ISO
// specs, then resolve the ones marked iso_download_pve = true.

import type { Logger } from '../log.js';
import { createTemplateContext } from '../template/context.js';
import { extractIsoSpecs } from '../template/extract.js';
import type { IsoSpec } from '../template/iso-spec.js';
import { loadTemplate } from '../template/load.js';
import { validateIsoSpecs } from '../template/validate.js';
import { collectVariables } from '../template/variables.js';
import { requestsFromSpecs } from './from-specs.js';
import type { IsoRequest } from './request.js';

export interface LoadRequestsOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  varFiles: readonly string[];
  vars: ReadonlyArray<readonly [string, string]>;
  caFile?: string;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface LoadedRequests {
  specs: IsoSpec[];
  requests: IsoRequest[];
}

export async function loadRequests(templatePath: string, options: LoadRequestsOptions): Promise<LoadedRequests> {
  const warn = (m: string) => options.logger?.warn(m);
  const template = await loadTemplate(templatePath, { cwd: options.cwd, warn });
  const variables = await collectVariables(template, { env: options.env, varFiles: options.varFiles, vars: options.vars }, { warn });
  const context = createTemplateContext(template, variables, options.env);
  const specs = extractIsoSpecs(template, context.base);
  validateIsoSpecs(specs);
  const requests = await requestsFromSpecs(specs, {
    cwd: options.cwd,
    env: options.env,
    ...(options.caFile ? { caFile: options.caFile } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return { specs, requests };
}
