/**
 * Every failure becomes a JSON body `{ code, message }` with a fitting status: the SDK's typed errors
 * by their code, Fastify's own (unsupported media type, body too large, multipart limits) by theirs.
 * Anything else is a bug on our side: 500 with code INTERNAL, and the server keeps serving.
 */
import { isDanflowError, type DanflowErrorCode } from '../index.js';

export interface HttpError {
  status: number;
  code: DanflowErrorCode;
  message: string;
  /** Seconds, for the Retry-After header of 503 answers. */
  retryAfter?: number;
}

const STATUS: Partial<Record<DanflowErrorCode, number>> = {
  BAD_IMAGE: 400,
  BAD_ARGUMENT: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  TOO_LARGE: 413,
  UNSUPPORTED: 415,
  OVERLOADED: 503,
  TIMEOUT: 503,
  UNAVAILABLE: 503,
  DISPOSED: 503,
  INTERNAL: 500,
};

/** Fastify's and @fastify/multipart's error codes → ours. */
const FRAMEWORK: Record<string, DanflowErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED',
  FST_ERR_CTP_BODY_TOO_LARGE: 'TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'TOO_LARGE',
  FST_PARTS_LIMIT: 'TOO_LARGE',
  FST_FILES_LIMIT: 'TOO_LARGE',
  FST_FIELDS_LIMIT: 'TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_ARGUMENT',
  FST_ERR_CTP_EMPTY_TYPE: 'UNSUPPORTED',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED',
};

function retryAfterOf(details: unknown): number | undefined {
  const v = (details as { retryAfter?: unknown } | undefined)?.retryAfter;
  return typeof v === 'number' ? v : undefined;
}

export function toHttpError(e: unknown): HttpError {
  if (isDanflowError(e)) {
    const status = STATUS[e.code] ?? 400;
    const retryAfter = status === 503 ? (retryAfterOf(e.details) ?? 1) : undefined;
    return { status, code: e.code, message: e.message, ...(retryAfter !== undefined ? { retryAfter } : {}) };
  }
  const err = e as { code?: string; statusCode?: number; message?: string };
  const mapped = err.code ? FRAMEWORK[err.code] : undefined;
  if (mapped) return { status: STATUS[mapped]!, code: mapped, message: err.message ?? mapped };
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, code: 'BAD_ARGUMENT', message: err.message ?? 'Bad request.' };
  }
  return { status: 500, code: 'INTERNAL', message: `Internal error: ${err.message ?? String(e)}` };
}
