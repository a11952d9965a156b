/**
 * Redis connections for the fleet. Each BullMQ piece gets its own ioredis client that waits out an
 * outage instead of failing: commands queue while disconnected (maxRetriesPerRequest null, which
 * BullMQ's blocking reads require) and reconnects back off up to two seconds, so a Redis restart
 * pauses the fleet rather than killing it.
 */
import { Redis } from 'ioredis';
import { DanflowError } from '../../index.js';

export function parseRedisUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DanflowError('BAD_ARGUMENT', `"${url}" is not a Redis URL; expected redis://HOST:PORT (or rediss:// for TLS).`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new DanflowError('BAD_ARGUMENT', `"${url}" is not a Redis URL; expected redis://HOST:PORT (or rediss:// for TLS).`);
  return u;
}

export function connectRedis(url: string, onError: (e: Error) => void = () => {}): Redis {
  parseRedisUrl(url);
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
  });
  // Without a listener ioredis prints every failed reconnect attempt; the caller decides what to say.
  client.on('error', onError);
  return client;
}
