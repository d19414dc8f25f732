// `hclx plan`: read-only. Loads the template, reads the cluster and prints, for every ISO block with
// iso_download_pve = true, where it would go and what a run would do. Problems are printed in the
// plan and then raised as the pre-flight error (exit 1, or 2 when the template is at fault).

import { createLogger, type LogLevel } from '../log.js';
import { planIsos } from './engine.js';
import { loadRequests } from './load-requests.js';
import type { IsoNameMode } from './naming.js';
import { formatPlan, planJson } from './plan-report.js';
import { preflightError } from './preflight-error.js';
import type { NodeApi } from './request.js';
import type { PveConnection } from '../pve/connection.js';

export interface RunPlanOptions {
  template: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  varFiles: readonly string[];
  vars: ReadonlyArray<readonly [string, string]>;
  isoName?: IsoNameMode;
  overwrite?: boolean;
  json?: boolean;
  caFile?: string;
  verifyCertificates?: boolean;
  logLevel?: LogLevel;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal;
  clientFor?: (connection: PveConnection) => NodeApi;
}

export async function runPlan(options: RunPlanOptions): Promise<number> {
  const logger = createLogger(options.stderr, options.logLevel ? { level: options.logLevel } : {});
  const { requests } = await loadRequests(options.template, {
    cwd: options.cwd,
    env: options.env,
    varFiles: options.varFiles,
    vars: options.vars,
    logger,
    ...(options.caFile ? { caFile: options.caFile } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const plan = await planIsos(requests, {
    logger,
    ...(options.isoName ? { isoName: options.isoName } : {}),
    ...(options.overwrite ? { overwrite: true } : {}),
    ...(options.verifyCertificates === false ? { verifyCertificates: false } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.clientFor ? { clientFor: options.clientFor } : {}),
  });
  options.stdout.write((options.json ? planJson(plan) : formatPlan(plan)) + '\n');
  const problem = preflightError(plan.problems);
  if (problem) throw problem;
  return 0;
}
