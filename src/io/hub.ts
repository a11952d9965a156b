/**
 * Turns a user's weight spec into something loadable: a Hugging Face `hf:` id, an http(s) URL,
 * or a local path. Kept free of I/O so it works identically in Node and browsers.
 */
import { env } from '../core/env.js';
import { DanflowError } from '../core/errors.js';

export type WeightSource =
  | {
      kind: 'url';
      url: string;
      /**
       * Relative, '/'-separated, filesystem-safe cache path. For `hf:` ids it does not include the
       * endpoint, so switching to a mirror (HF_ENDPOINT) reuses files already downloaded.
       */
      cacheKey: string;
    }
  | { kind: 'file'; path: string };

export const DEFAULT_HF_FILE = 'model.safetensors';
export const DEFAULT_HF_REVISION = 'main';

export interface HfSpec {
  repo: string;
  revision: string;
  file: string;
}

/** Parses `hf:owner/name[@revision][/path/in/repo]` (revision defaults to main, file to model.safetensors). */
export function parseHfSpec(spec: string): HfSpec {
  const body = spec.replace(/^hf:/, '').replace(/^\/+/, '');
  const parts = body.split('/');
  if (parts.length < 2 || !parts[0] || !parts[1]) {
    throw new DanflowError(
      'BAD_ARGUMENT',
      `Invalid Hugging Face id '${spec}': expected 'hf:owner/name', optionally '@revision' and a file path, e.g. 'hf:timm/resnet18.a1_in1k' or 'hf:timm/resnet18.a1_in1k@main/model.safetensors'.`,
    );
  }
  const owner = parts[0];
  let name = parts[1];
  let revision = DEFAULT_HF_REVISION;
  const at = name.indexOf('@');
  if (at >= 0) {
    // Revisions containing '/' (e.g. 'refs/pr/1') must be written percent-encoded ('refs%2Fpr%2F1'),
    // since an unencoded '/' starts the file path.
    try {
      revision = decodeURIComponent(name.slice(at + 1));
    } catch {
      revision = name.slice(at + 1);
    }
    name = name.slice(0, at);
    if (!revision || !name) throw new DanflowError('BAD_ARGUMENT', `Invalid Hugging Face id '${spec}': empty repository name or revision around '@'.`);
  }
  const rest = parts.slice(2).filter((p) => p !== '');
  if (rest.some((p) => p === '..' || p === '.')) {
    throw new DanflowError('BAD_ARGUMENT', `Invalid Hugging Face id '${spec}': the file path may not contain '.' or '..' segments.`);
  }
  return { repo: `${owner}/${name}`, revision, file: rest.length > 0 ? rest.join('/') : DEFAULT_HF_FILE };
}

function sanitizeSegment(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9._-]/g, '_');
  // Leading dots would make hidden files or '..' path escapes.
  return clean.replace(/^\.+/, (m) => '_'.repeat(m.length)) || '_';
}

/** Short, stable, non-cryptographic hash (FNV-1a) used only to keep sanitised cache keys distinct. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function keyFromSegments(prefix: string, raw: string[], identity: string, forceHash: boolean): string {
  const clean = raw.map(sanitizeSegment);
  const changed = forceHash || clean.some((c, i) => c !== raw[i]);
  // When sanitising altered anything, two different sources could collapse onto one key; a hash of
  // the original identity on the last segment keeps them apart.
  if (changed) clean[clean.length - 1] = `${clean[clean.length - 1]}-${fnv1a(identity)}`;
  return [prefix, ...clean].join('/');
}

/** Cache key for an arbitrary URL: host and path, sanitised; query strings get a hash suffix. */
export function urlCacheKey(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `url/${fnv1a(url)}`;
  }
  const segs = u.pathname.split('/').filter((s) => s !== '').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  if (segs.length === 0) segs.push('index');
  return keyFromSegments('url', [u.host, ...segs], url, u.search !== '');
}

function hfCacheKey(h: HfSpec): string {
  return keyFromSegments('hf', [...h.repo.split('/'), h.revision, ...h.file.split('/')], `${h.repo}@${h.revision}/${h.file}`, false);
}

/** The download URL of a file in a Hugging Face repo, against `env.hubEndpoint`. */
export function hfResolveUrl(h: HfSpec, endpoint: string = env.hubEndpoint): string {
  const base = endpoint.replace(/\/+$/, '');
  const file = h.file.split('/').map(encodeURIComponent).join('/');
  // The revision is one URL segment, so branch names like 'refs/pr/1' must be percent-encoded.
  return `${base}/${h.repo}/resolve/${encodeURIComponent(h.revision)}/${file}`;
}

export function resolveWeightSource(spec: string): WeightSource {
  const trimmed = spec.trim();
  if (trimmed.startsWith('hf:')) {
    const h = parseHfSpec(trimmed);
    return { kind: 'url', url: hfResolveUrl(h), cacheKey: hfCacheKey(h) };
  }
  if (/^https?:\/\//i.test(trimmed)) return { kind: 'url', url: trimmed, cacheKey: urlCacheKey(trimmed) };
  if (/^file:\/\//i.test(trimmed)) {
    const u = new URL(trimmed);
    let path = decodeURIComponent(u.pathname);
    // file:///C:/x → /C:/x; drop the slash before a Windows drive letter.
    if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
    return { kind: 'file', path };
  }
  if (trimmed === '') throw new DanflowError('BAD_ARGUMENT', 'Empty weight source: pass an hf: id, a URL, a local path or the bytes.');
  return { kind: 'file', path: spec };
}
