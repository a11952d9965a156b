/**
 * Expands the image arguments of `danflow localize`: plain files, folders (their images), and glob
 * patterns with `*`, `?`, `[…]`, `{a,b}` and `**` (any depth) — shells on Windows, and quoted
 * patterns everywhere, reach the CLI unexpanded.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'bmp', 'tif', 'tiff', 'webp', 'gif']);

export function isGlob(s: string): boolean {
  return /[*?[{]/.test(s);
}

export function isImageFile(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && IMAGE_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

/** A regular expression for one path segment of a glob. */
export function segmentRegex(seg: string): RegExp {
  let re = '';
  let inBrace = false;
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let body = seg.slice(i + 1, end);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '{') {
      inBrace = true;
      re += '(?:';
    } else if (c === '}' && inBrace) {
      inBrace = false;
      re += ')';
    } else if (c === ',' && inBrace) re += '|';
    else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function entries(dir: string): Promise<{ name: string; dir: boolean }[]> {
  try {
    const list = await readdir(dir, { withFileTypes: true });
    const out: { name: string; dir: boolean }[] = [];
    for (const e of list) {
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) isDir = await stat(path.join(dir, e.name)).then((s) => s.isDirectory(), () => false);
      out.push({ name: e.name, dir: isDir });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

async function walk(dir: string, segs: string[], out: string[]): Promise<void> {
  if (segs.length === 0) {
    out.push(dir);
    return;
  }
  const [seg, ...rest] = segs;
  if (seg === '**') {
    await walk(dir, rest, out); // zero directories
    for (const e of await entries(dir)) if (e.dir && !e.name.startsWith('.')) await walk(path.join(dir, e.name), segs, out);
    return;
  }
  if (!isGlob(seg)) {
    const p = path.join(dir, seg);
    if (rest.length === 0) {
      if (await stat(p).then((s) => s.isFile(), () => false)) out.push(p);
    } else await walk(p, rest, out);
    return;
  }
  const re = segmentRegex(seg);
  for (const e of await entries(dir)) {
    if (e.name.startsWith('.') && !seg.startsWith('.')) continue;
    if (!re.test(e.name)) continue;
    if (rest.length === 0) {
      if (!e.dir) out.push(path.join(dir, e.name));
    } else if (e.dir) await walk(path.join(dir, e.name), rest, out);
  }
}

/** Files matching one glob pattern (absolute), relative patterns resolved from `cwd`. */
export async function glob(pattern: string, cwd: string): Promise<string[]> {
  const abs = path.resolve(cwd, pattern);
  const root = path.parse(abs).root;
  const segs = abs.slice(root.length).split(/[\\/]+/).filter((s) => s !== '');
  let base = root;
  let i = 0;
  while (i < segs.length - 1 && !isGlob(segs[i])) base = path.join(base, segs[i++]);
  const out: string[] = [];
  await walk(base, segs.slice(i), out);
  return [...new Set(out)];
}

export interface Expanded {
  files: string[];
  /** Arguments that matched nothing. */
  unmatched: string[];
}

/** Files for each argument: globs expanded, folders listed (images only, not recursive), files as given. */
export async function expandInputs(inputs: string[], cwd: string): Promise<Expanded> {
  const files: string[] = [];
  const unmatched: string[] = [];
  for (const arg of inputs) {
    const abs = path.resolve(cwd, arg);
    const st = await stat(abs).catch(() => undefined);
    let found: string[] = [];
    if (st?.isDirectory()) found = (await entries(abs)).filter((e) => !e.dir && isImageFile(e.name)).map((e) => path.join(abs, e.name));
    else if (st?.isFile()) found = [abs];
    else if (isGlob(arg)) found = (await glob(arg, cwd)).filter(isImageFile);
    if (found.length === 0) unmatched.push(arg);
    files.push(...found);
  }
  return { files: [...new Set(files)], unmatched };
}
