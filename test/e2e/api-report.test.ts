import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

/**
 * The published type declarations are the API: they are compared with the committed report in
 * docs/api/, so every change to the public surface shows up in review. After an intended change:
 * `npx vitest run test/e2e/api-report.test.ts -u` and commit docs/api/.
 */
const DIST = path.join(REPO_ROOT, 'dist');
// tsup names the shared declaration chunk by content hash; the report does not care.
const normalise = (text: string) => text.replace(/types-[A-Za-z0-9_-]+\.(js|d\.ts)/g, 'types.$1');

describe('public API report', () => {
  for (const entry of ['index.d.ts', 'node.d.ts', 'index.node.d.ts', 'serve.d.ts']) {
    it(`dist/${entry} matches docs/api/${entry}`, async () => {
      await expect(normalise(readFileSync(path.join(DIST, entry), 'utf8'))).toMatchFileSnapshot(path.join(REPO_ROOT, 'docs/api', entry));
    });
  }

  it('the shared declaration chunk matches docs/api/types.d.ts', async () => {
    const chunk = readdirSync(DIST).find((f) => /^types-.*\.d\.ts$/.test(f));
    expect(chunk).toBeDefined();
    await expect(normalise(readFileSync(path.join(DIST, chunk!), 'utf8'))).toMatchFileSnapshot(path.join(REPO_ROOT, 'docs/api/types.d.ts'));
  });

  it('declares no implementation classes, only the error class', () => {
    const all = ['index.d.ts', 'node.d.ts'].map((f) => readFileSync(path.join(DIST, f), 'utf8')).join('\n');
    expect([...all.matchAll(/declare class (\w+)/g)].map((m) => m[1])).toEqual(['DanflowError']);
    for (const internal of ['DetectorImpl', 'Model', 'ParamStore', 'MemoryBank', 'PatchCoreHead', 'FlowHead', 'forwardRaw', 'internals']) {
      expect(all).not.toMatch(new RegExp(`(class|interface|type|function|const) ${internal}\\b|\\b${internal}\\(`));
    }
  });
});
