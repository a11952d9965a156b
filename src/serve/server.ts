/**
 * `createServer`: the HTTP inference service on Fastify. It wires the model registry, the scheduler,
 * the metrics and the routes together and owns the life cycle: listen, reload, graceful close.
 */
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import { DanflowError, type Detector } from '../index.js';
import { toHttpError } from './http-errors.js';
import { IMAGE_CONTENT_TYPES } from './image-input.js';
import { ServerMetrics } from './metrics.js';
import { ModelRegistry, namedModels, type ModelInfo, type ModelSource } from './models.js';
import { resolveServerOptions, type ServerOptions } from './options.js';
import { registerRoutes } from './routes.js';
import { Scheduler } from './scheduler.js';

export interface DanflowServer {
  /** The Fastify instance: add routes and hooks, or `inject()` requests without a socket. */
  readonly fastify: FastifyInstance;
  /** Starts listening (default 127.0.0.1:8080; port 0 picks a free one) and returns the base URL. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /**
   * Swaps models atomically: `replacement` for the named model, else every model given as a path
   * (or just `name`) is loaded again from disk. Requests in flight finish on the old model, which is
   * disposed after them if the server loaded it.
   */
  reload(name?: string, replacement?: Detector): Promise<ModelInfo[]>;
  /** What `GET /v1/models` lists. */
  models(): ModelInfo[];
  /** Graceful stop: new requests are refused (503), in-flight ones finish, then the models the server loaded are disposed. */
  close(): Promise<void>;
}

/**
 * An HTTP service for the given models: one Detector (served as "default"), or names mapped to
 * detectors or saved-model paths. Paths are loaded here (and again on reload); detectors stay the
 * caller's to dispose.
 */
export async function createServer(models: Detector | Record<string, ModelSource>, options: ServerOptions = {}): Promise<DanflowServer> {
  const opts = resolveServerOptions(options);
  const registry = await ModelRegistry.create(namedModels(models), opts.backend);
  const defaultModel = opts.defaultModel ?? registry.names()[0];
  if (!registry.names().includes(defaultModel)) {
    registry.close();
    throw new DanflowError('BAD_ARGUMENT', `createServer: defaultModel "${defaultModel}" is not one of ${registry.names().join(', ')}.`);
  }
  let draining = false;
  const scheduler: Scheduler = new Scheduler({
    maxQueue: opts.maxQueue,
    maxBatch: opts.maxBatch,
    sigma: opts.sigma,
    onBatch: (size, seconds) => {
      metrics.batchSize.observe(size);
      metrics.localizeSeconds.observe(seconds);
    },
  });
  const metrics = new ServerMetrics(scheduler);
  const showVersions = () => {
    for (const m of registry.info()) metrics.modelVersion.set({ model: m.name }, m.version);
  };
  showVersions();

  const app = Fastify({
    logger: false,
    bodyLimit: opts.maxBodyBytes,
    // Uploads must arrive within the request deadline too (a slow client cannot hold a socket forever).
    requestTimeout: opts.timeoutMs,
    // Draining is answered by our own hook, with the JSON error body every other failure has.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });
  // Only images (and multipart forms) are bodies here: JSON or text is a 415, not a parse attempt.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...IMAGE_CONTENT_TYPES], { parseAs: 'buffer', bodyLimit: opts.maxBodyBytes }, (_req, body, done) => done(null, body));
  await app.register(multipart, { limits: { fileSize: opts.maxBodyBytes, files: 1, fields: 16, parts: 32 } });

  const inFlight = new WeakSet<object>();
  app.addHook('onRequest', async (req, reply) => {
    inFlight.add(req);
    metrics.inFlight.inc();
    if (draining) {
      reply.header('connection', 'close');
      throw new DanflowError('UNAVAILABLE', 'The server is shutting down; send the request to another instance.');
    }
  });
  const done = (req: object) => {
    if (inFlight.delete(req)) metrics.inFlight.dec();
  };
  app.addHook('onSend', async (_req, reply) => {
    if (draining) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (req, reply) => {
    done(req);
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    metrics.latency.observe({ route }, reply.elapsedTime / 1000);
  });
  app.addHook('onRequestAbort', async (req) => done(req));
  app.setErrorHandler((error, req, reply) => {
    const e = toHttpError(error);
    if (e.status >= 500 && e.code === 'INTERNAL') opts.log(`${req.method} ${req.url}: ${e.message}`);
    if (e.retryAfter !== undefined) reply.header('retry-after', String(e.retryAfter));
    return reply.code(e.status).send({ code: e.code, message: e.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: 'NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0]}.` }));

  const reload = async (name?: string, replacement?: Detector) => {
    const info = await registry.reload(name, replacement);
    showVersions();
    opts.log(`reloaded ${info.map((m) => `${m.name} v${m.version}`).join(', ')}`);
    return info;
  };
  registerRoutes(app, { registry, scheduler, metrics, options: opts, defaultModel, isDraining: () => draining, reload: (name) => reload(name) });

  let closing: Promise<void> | undefined;
  return {
    fastify: app,
    async listen({ port = 8080, host = '127.0.0.1' } = {}) {
      await app.listen({ port, host });
      const address = app.server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
    },
    reload,
    models: () => registry.info(),
    close() {
      closing ??= (async () => {
        draining = true;
        await app.close();
        await scheduler.idle();
        registry.close();
      })();
      return closing;
    },
  };
}
