// The Proxmox VE API adapter: the only place hclx speaks HTTP to Proxmox.
export { PveClient, encodeParams, type ApiParams, type HttpMethod, type PveClientOptions, type RequestOptions } from './client.js';
export { resolveConnection, normalizeApiUrl, principalOf, type PveAuth, type PveConnection, type PveSourceSettings, type ResolveConnectionOptions } from './connection.js';
export { PveErrorCode, STORAGE_CHOICE_CODES, NODE_CHOICE_CODES, proxmoxErrorFromResponse, pveMessage, type ApiFailure } from './api-error.js';
export { networkErrorFrom, rootCause, type NetworkFailureContext } from './network-error.js';
export { DOWNLOAD_ROLE, DOWNLOAD_ROLE_PRIVILEGES, leastPrivilegeGrant, requiredPrivileges, type GrantTarget, type Principal } from './privileges.js';
export { DEFAULT_RETRY_POLICY, backoffDelay, isTransient, realClock, withRetry, type RetryClock, type RetryOptions, type RetryPolicy } from './retry.js';
export { TaskLogTail, classifyTaskError, stopTaskAndWait, taskError, taskResult, waitForTask, type TaskApi, type TaskResult, type WaitForTaskOptions } from './task.js';
export { createTransport, proxyApplies, trustedCas, type Transport, type TransportOptions } from './transport.js';
export { formatUpid, parseUpid, tryParseUpid, type Upid } from './upid.js';
export { formatVolid, parseVolid, type Volid } from './volid.js';
export type * from './types.js';
