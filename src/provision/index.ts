// The download engine's public surface, for the online commands (render, build, plan) and library use.

export { provisionIsos, planIsos, DEFAULT_PARALLEL, DEFAULT_STALL_MS } from './engine.js';
export type { ProvisionOptions, ProvisionResult, ProvisionedIso, PlanOptions, PlanResult, PlanEntry, PlanState } from './engine.js';
export { requestsFromSpecs, requestFromSpec } from './from-specs.js';
export { loadRequests } from './load-requests.js';
export type { LoadRequestsOptions, LoadedRequests } from './load-requests.js';
export type { IsoRequest, NodeApi } from './request.js';
export { chooseTargetName, parseIsoNameMode } from './naming.js';
export type { IsoNameMode, TargetName, ReusePolicy, Checksum } from './naming.js';
export { createView, createJsonView, createPlainView, createTtyView } from './progress-view.js';
export type { EventSink, ProvisionEvent, SummaryRow, IsoOutcome } from './events.js';
export { formatSummary } from './summary.js';
export { parseDuration } from './watchdog.js';
export { PreflightError, preflightError } from './preflight-error.js';
export { runPlan } from './run-plan.js';
export type { RunPlanOptions } from './run-plan.js';
