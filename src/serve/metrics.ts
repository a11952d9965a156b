/**
 * Prometheus metrics of one server, in a registry of its own (two servers in one process do not
 * share counters): requests by route and status, latency, in-flight requests, queue depth, batch
 * sizes, model versions, plus prom-client's process metrics (CPU, memory, event-loop lag).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly latency: Histogram<'route'>;
  readonly inFlight: Gauge;
  readonly batchSize: Histogram;
  readonly localizeSeconds: Histogram;
  readonly modelVersion: Gauge<'model'>;

  constructor(queue: { depth: number }) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'danflow_http_requests_total', help: 'HTTP requests answered, by route, method and status.', labelNames: ['route', 'method', 'status'], registers });
    this.latency = new Histogram({
      name: 'danflow_http_request_duration_seconds',
      help: 'Time from request to answer, by route.',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.inFlight = new Gauge({ name: 'danflow_http_in_flight_requests', help: 'Requests received and not yet answered.', registers });
    new Gauge({
      name: 'danflow_queue_depth',
      help: 'Requests waiting for the model (not counting those it is working on).',
      registers,
      collect() {
        this.set(queue.depth);
      },
    });
    this.batchSize = new Histogram({ name: 'danflow_localize_batch_size', help: 'Images per localize call.', buckets: [1, 2, 4, 8, 16, 32], registers });
    this.localizeSeconds = new Histogram({ name: 'danflow_localize_duration_seconds', help: 'Duration of one localize call (a whole batch).', buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
    this.modelVersion = new Gauge({ name: 'danflow_model_version', help: 'Version of each served model (+1 per reload).', labelNames: ['model'], registers });
    collectDefaultMetrics({ register: this.registry, prefix: 'danflow_' });
  }
}
