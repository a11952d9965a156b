/**
 * The contract between the fleet's clients and workers: job names, what a job carries, what it
 * returns, and how a failure keeps its typed reason through Redis (BullMQ stores only a message, so
 * the code travels as its prefix: "BAD_IMAGE: Cannot decode …").
 */
import { DanflowError, isDanflowError, type CreateDetectorOptions, type DanflowErrorCode, type DetectorFitOptions, type ValidationOptions } from '../../index.js';
import type { OpenDatasetOptions } from '../../node.js';
import type { LocalizeAnswer } from '../response.js';

export const LOCALIZE_JOB = 'localize';
export const FIT_JOB = 'fit';

export interface LocalizeJob {
  /** A path on the workers' file system (shared storage) or an http(s) URL. */
  image?: string;
  /** Or the image file's bytes, base64-encoded (for images that live nowhere else). */
  bytes?: string;
  /** Which of the worker's models; default: its first. */
  model?: string;
  /** Add the mask / a colour heatmap as base64 PNGs to the result. */
  mask?: boolean;
  heatmap?: boolean;
}

export interface LocalizeJobResult extends LocalizeAnswer {
  /** host:pid of the worker that produced the result. */
  worker: string;
}

/** Options of createDetector and fit that survive JSON (no callbacks, signals or in-memory weights). */
export type FitJobConfig = Omit<CreateDetectorOptions, 'onProgress' | 'weights'> & { weights?: string };
export type FitJobFitOptions = Omit<DetectorFitOptions, 'onProgress' | 'signal' | 'validation'> & { validation?: boolean | Omit<ValidationOptions, 'images'> };

export interface FitJob {
  /** The normal training images: a dataset as `openDataset` takes it (`{ format: 'folder', normalDir }`, `{ format: 'mvtec', root, category }` …). */
  dataset: OpenDatasetOptions;
  /** Where the model is saved: a path every worker that serves it can read (shared storage). */
  out: string;
  config?: FitJobConfig;
  fit?: FitJobFitOptions;
}

export interface FitJobResult {
  out: string;
  images: number;
  epochs: number;
  seconds: number;
  threshold: number | null;
  worker: string;
}

/**
 * Failures worth another attempt: the network, an overloaded or stopping worker, unexpected errors.
 * Everything else (bad image, missing file, bad settings…) fails the same way every time, so the job
 * fails at once with its reason instead of burning its retries.
 */
const TRANSIENT = new Set<DanflowErrorCode>(['DOWNLOAD', 'OFFLINE', 'TIMEOUT', 'OVERLOADED', 'UNAVAILABLE', 'ABORTED', 'DISPOSED', 'INTERNAL']);

export function isTransient(code: DanflowErrorCode): boolean {
  return TRANSIENT.has(code);
}

/** Any thrown value as a typed error (unknown errors are INTERNAL). */
export function asDanflowError(e: unknown): DanflowError {
  if (isDanflowError(e)) return e;
  return new DanflowError('INTERNAL', e instanceof Error ? e.message : String(e), { cause: e });
}

export function encodeReason(e: DanflowError): string {
  return `${e.code}: ${e.message}`;
}

/** The typed error a failed job's reason stands for. */
export function decodeReason(reason: string, details?: unknown): DanflowError {
  const m = /^([A-Z][A-Z_]+): ([\s\S]*)$/.exec(reason);
  return m ? new DanflowError(m[1] as DanflowErrorCode, m[2], { details }) : new DanflowError('INTERNAL', reason, { details });
}
