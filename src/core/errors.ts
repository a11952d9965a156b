/**
 * Every failure the SDK reports on purpose is a DanflowError with a stable `code`, so callers can
 * branch on the kind of problem while the message tells a person what went wrong and how to fix it.
 */
export type DanflowErrorCode =
  | 'BACKEND_UNAVAILABLE'
  | 'BAD_IMAGE'
  | 'BAD_CONFIG'
  | 'BAD_ARGUMENT'
  | 'EMPTY_DATASET'
  | 'NAN_LOSS'
  | 'MODEL_FORMAT'
  | 'MODEL_VERSION'
  | 'WEIGHTS_MISMATCH'
  | 'CHECKSUM'
  | 'NOT_FOUND'
  | 'OFFLINE'
  | 'DOWNLOAD'
  | 'ABORTED'
  | 'DISPOSED'
  | 'DATASET_LAYOUT'
  | 'METRIC_INPUT'
  | 'UNSUPPORTED'
  // Raised by the HTTP service and the worker fleet (danflow/serve); the library itself never throws them.
  | 'TOO_LARGE'
  | 'OVERLOADED'
  | 'TIMEOUT'
  | 'UNAVAILABLE'
  | 'UNAUTHORIZED'
  | 'INTERNAL'
  | 'ONNX_EXPORT'
  | 'ENGINE_UNAVAILABLE';

export class DanflowError extends Error {
  readonly code: DanflowErrorCode;
  /** Extra structured detail (e.g. the per-backend failures), for programs rather than people. */
  readonly details?: unknown;

  constructor(code: DanflowErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'DanflowError';
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
  }
}

export function isDanflowError(e: unknown, code?: DanflowErrorCode): e is DanflowError {
  return e instanceof DanflowError && (code === undefined || e.code === code);
}

/** Message of an unknown thrown value, for wrapping third-party failures. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
