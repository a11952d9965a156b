import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

const exec = promisify(execFile);

/**
 * `npm pack` in a fresh clone (what a release job does): prepack must build dist/, and the tarball
 * must hold everything package.json points at, the licence and the README. The clone is of the
 * committed HEAD; dependencies are the working tree's (as `npm ci` would install them).
 */
const isGit = existsSync(join(REPO_ROOT, '.git'));
if (!isGit) console.log('[pack-clean-clone] skipped: not a git checkout, so there is nothing to clone');

describe.skipIf(!isGit)('npm pack from a clean clone', () => {
  const work = mkdtempSync(join(tmpdir(), 'danflow-clone-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('builds dist in prepack and ships every referenced file, LICENSE and README', async () => {
    const clone = join(work, 'danflow');
    await exec('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone]);
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
    const { stdout } = await exec('npm', ['pack', '--dry-run', '--json'], { cwd: clone, maxBuffer: 64 << 20 });
    const packed = JSON.parse(stdout.slice(stdout.indexOf('['))) as { files: { path: string }[] }[];
    const files = new Set(packed[0].files.map((f) => f.path));
    const pkg = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8'));
    const referenced = new Set<string>();
    const walk = (v: unknown): void => {
      if (typeof v === 'string') referenced.add(v.replace(/^\.\//, ''));
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk([pkg.main, pkg.module, pkg.types, pkg.exports, pkg.bin]);
    for (const f of referenced) expect(files.has(f), `${f} (referenced by package.json) is not in the tarball`).toBe(true);
    for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cli.js']) expect(files.has(f), f).toBe(true);
    for (const f of pkg.files as string[]) if (!f.startsWith('!') && !f.includes('*')) expect(existsSync(join(clone, f)), `"files" lists ${f}, which does not exist`).toBe(true);
    expect([...files].some((f) => f.endsWith('.map'))).toBe(false);
    expect([...files].some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
  }, 240_000);
});
