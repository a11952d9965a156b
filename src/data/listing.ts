/**
 * Finding files: deterministic (natural, locale-independent) order, image files picked by extension,
 * and masks matched to images by file stem. Listing only — nothing here opens an image.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export const DEFAULT_IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'bmp', 'tif', 'tiff', 'webp', 'gif'];

/**
 * "img2" < "img10"; digit runs compare by value, other runs by code unit (never by locale, so every
 * machine sorts the same way). Ties such as "01" vs "1" fall back to plain string order.
 */
export function naturalCompare(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  const n = Math.min(ra.length, rb.length);
  for (let i = 0; i < n; i++) {
    const x = ra[i];
    const y = rb[i];
    if (x === y) continue;
    const dx = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
    const dy = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    if (dx && dy) {
      // Compare digit strings without converting, so arbitrarily long numbers stay exact.
      const sx = x.replace(/^0+(?=\d)/, '');
      const sy = y.replace(/^0+(?=\d)/, '');
      if (sx.length !== sy.length) return sx.length - sy.length;
      if (sx !== sy) return sx < sy ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (ra.length !== rb.length) return ra.length - rb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function naturalSort(names: readonly string[]): string[] {
  return [...names].sort(naturalCompare);
}

export function normaliseExtensions(extensions: readonly string[] | undefined): Set<string> {
  return new Set((extensions ?? DEFAULT_IMAGE_EXTENSIONS).map((e) => e.replace(/^\./, '').toLowerCase()));
}

/** File name without its last extension. */
export function stemOf(file: string): string {
  const base = path.basename(file);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

function extensionOf(file: string): string {
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(dot + 1).toLowerCase() : '';
}

export async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

export interface DirEntries {
  files: string[];
  dirs: string[];
}

/** Names of the visible files and folders in `dir` (symlinks followed), naturally sorted; empty if `dir` is missing. */
export async function listDir(dir: string): Promise<DirEntries> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return { files: [], dirs: [] };
  }
  const files: string[] = [];
  const dirs: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue; // .DS_Store, editor swap files, hidden folders
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      try {
        const s = await stat(path.join(dir, e.name));
        isDir = s.isDirectory();
        isFile = s.isFile();
      } catch {
        continue; // dangling link
      }
    }
    if (isDir) dirs.push(e.name);
    else if (isFile) files.push(e.name);
  }
  return { files: naturalSort(files), dirs: naturalSort(dirs) };
}

/** Absolute paths of the image files directly inside `dir`, naturally sorted. */
export async function listImages(dir: string, extensions: Set<string>): Promise<string[]> {
  const { files } = await listDir(dir);
  return files.filter((f) => extensions.has(extensionOf(f))).map((f) => path.join(dir, f));
}

/**
 * Maps image stems to mask files in one folder. `suffixes` are tried in order: [`_mask`, ''] looks
 * for `<stem>_mask.*` then `<stem>.*`. When several extensions share a stem the first in natural
 * order wins, so the choice does not depend on the file system.
 */
export class MaskIndex {
  private readonly byStem = new Map<string, string>();

  constructor(
    readonly dir: string,
    maskFiles: readonly string[],
    private readonly suffixes: readonly string[],
  ) {
    for (const f of maskFiles) {
      const s = stemOf(f);
      if (!this.byStem.has(s)) this.byStem.set(s, f);
    }
  }

  static async open(dir: string, extensions: Set<string>, suffixes: readonly string[]): Promise<MaskIndex> {
    return new MaskIndex(dir, await listImages(dir, extensions), suffixes);
  }

  find(imagePath: string): string | undefined {
    const stem = stemOf(imagePath);
    for (const suffix of this.suffixes) {
      const hit = this.byStem.get(stem + suffix);
      if (hit) return hit;
    }
    return undefined;
  }

  /** What `find` looked for, for error messages. */
  expected(imagePath: string): string {
    const stem = stemOf(imagePath);
    return this.suffixes.map((s) => path.join(this.dir, `${stem}${s}.*`)).join(' or ');
  }
}
