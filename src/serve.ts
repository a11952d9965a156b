/**
 * `danflow/serve`: the HTTP inference service and the worker fleet (Node only). A subpath of its
 * own so that `danflow` and `danflow/node` never load Fastify, BullMQ or a Redis client; the code
 * lives in the tool folder src/serve/, built on the public entry points like the CLI.
 */
export { createServer } from './serve/server.js';
export type { DanflowServer } from './serve/server.js';
export type { ServerOptions } from './serve/options.js';
export { SERVE_DEFAULTS } from './serve/options.js';
export type { ModelInfo, ModelSource } from './serve/models.js';
export type { LocalizeAnswer } from './serve/response.js';
export { startWorker } from './serve/fleet/worker.js';
export type { FleetWorker, FleetWorkerOptions } from './serve/fleet/worker.js';
export { createFleetClient } from './serve/fleet/client.js';
export type { EnqueueOptions, FleetClient, FleetClientOptions } from './serve/fleet/client.js';
export { FIT_JOB, LOCALIZE_JOB } from './serve/fleet/jobs.js';
export type { FitJob, FitJobConfig, FitJobFitOptions, FitJobResult, LocalizeJob, LocalizeJobResult } from './serve/fleet/jobs.js';
