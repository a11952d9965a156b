/**
 * The HTTP routes. Handlers only translate between HTTP and the pieces that do the work: the model
 * registry (leases, reloads), the scheduler (queue, batches, deadlines) and the image decoder.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DanflowError } from '../index.js';
import { decodeUntrusted } from './image-input.js';
import type { ServerMetrics } from './metrics.js';
import type { ModelInfo, ModelRegistry } from './models.js';
import type { ResolvedServerOptions } from './options.js';
import { toAnswer, type AnswerExtras } from './response.js';
import type { Scheduler } from './scheduler.js';

export interface RouteContext {
  registry: ModelRegistry;
  scheduler: Scheduler;
  metrics: ServerMetrics;
  options: ResolvedServerOptions;
  defaultModel: string;
  isDraining(): boolean;
  reload(name?: string): Promise<ModelInfo[]>;
}

type Query = Record<string, string | undefined>;

function extrasOf(query: Query): AnswerExtras {
  const extras: AnswerExtras = {};
  for (const key of ['mask', 'heatmap'] as const) {
    const v = query[key];
    if (v === undefined) continue;
    if (v !== 'png') throw new DanflowError('BAD_ARGUMENT', `?${key}=${v}: the only format is png (?${key}=png).`);
    extras[key] = true;
  }
  return extras;
}

/** The image bytes of a raw body, or of the first file part of a multipart form. */
async function bodyBytes(req: FastifyRequest): Promise<Uint8Array> {
  if (req.isMultipart()) {
    const part = await req.file();
    if (!part) throw new DanflowError('BAD_ARGUMENT', 'The multipart form has no file part: send the image as a file field.');
    return part.toBuffer();
  }
  if (!Buffer.isBuffer(req.body)) throw new DanflowError('BAD_IMAGE', 'No image in the request body: send the bytes with Content-Type image/png, image/jpeg, image/bmp or image/webp, or a multipart form.');
  return req.body;
}

function sameSecret(given: string, expected: string): boolean {
  // Hashing first makes the comparison constant-time whatever the lengths.
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(given), h(expected));
}

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { registry, scheduler, options } = ctx;

  const localize = async (req: FastifyRequest, name: string) => {
    const arrived = performance.now();
    // The lease is taken first: a request that arrived before a reload is answered by the old model.
    const lease = registry.acquire(name);
    try {
      const extras = extrasOf(req.query as Query);
      const image = await decodeUntrusted(await bodyBytes(req), options.maxPixels);
      const remaining = Math.max(1, options.timeoutMs - (performance.now() - arrived));
      const result = await scheduler.localize(lease.detector, image, remaining);
      return await toAnswer(lease, result, extras);
    } finally {
      lease.release();
    }
  };

  app.post('/v1/localize', (req) => localize(req, ctx.defaultModel));
  app.post<{ Params: { name: string } }>('/v1/models/:name/localize', (req) => localize(req, req.params.name));

  app.get('/v1/models', async () => ({ default: ctx.defaultModel, models: registry.info() }));

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply: FastifyReply) => {
    if (ctx.isDraining()) throw new DanflowError('UNAVAILABLE', 'The server is shutting down.');
    return reply.send({ ready: true, models: registry.names(), queueDepth: scheduler.depth });
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  const token = options.adminToken;
  if (token !== undefined) {
    app.post('/v1/admin/reload', async (req) => {
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), token)) {
        throw new DanflowError('UNAUTHORIZED', 'Reloading models needs "Authorization: Bearer <admin token>".');
      }
      const name = (req.query as Query).model;
      return { models: await ctx.reload(name) };
    });
  }
}
