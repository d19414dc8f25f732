// An error the simulated API answers with: the HTTP status, the message (PVE keeps the trailing
// newline of the Perl `die` text in the body; the status line carries its first line) and, for 400,
// the per-parameter `errors` map. Handlers throw these; the server formats them like pve-http-server.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
  ) {
    super(message.endsWith('\n') ? message : `${message}\n`);
  }

  /** The status line reason: PVE uses the first line of the message. */
  get reason(): string {
    return this.message.split('\n')[0] ?? '';
  }
}

/** 400 `Parameter verification failed.` with the given per-parameter messages. */
export function paramError(errors: Record<string, string>): ApiError {
  return new ApiError(400, 'Parameter verification failed.', errors);
}

/** 403 `Permission check failed (<what>)`, or the bare form when `what` is omitted (failed `or`). */
export function permError(what?: string): ApiError {
  return new ApiError(403, what ? `Permission check failed (${what})` : 'Permission check failed');
}

/** 500 with the handler's `die` text. */
export function handlerError(message: string): ApiError {
  return new ApiError(500, message);
}

/** A 401 from the authentication layer: PVE answers these with an empty body. */
export class AuthLayerError extends Error {
  constructor(readonly reason: 'No ticket' | 'Authentication failed!' | 'Permission denied - invalid csrf token') {
    super(reason);
  }
}
