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
export type { HttpErrorCode } from './serve/http-errors.js';
