import { afterEach, describe, expect, it } from 'vitest';
import { registerBackendCandidate, useBackend } from '../../../src/backend/registry.js';
import { defaultCandidates } from '../../../src/backend/candidates.js';
import { isDanflowError, type DanflowError } from '../../../src/core/errors.js';

const originals = defaultCandidates();

afterEach(() => {
  for (const c of originals) registerBackendCandidate(c);
});

describe('backend registry', () => {
  it('auto in Node skips tensorflow (not installed) and a missing/software WebGPU, and lands on wasm', async () => {
    expect(await useBackend('auto')).toBe('wasm');
  });

  it('explicit cpu and wasm work', async () => {
    expect(await useBackend('cpu')).toBe('cpu');
    expect(await useBackend('wasm')).toBe('wasm');
  });

  it('when nothing initialises, one error lists every backend tried with its reason', async () => {
    for (const c of originals) {
      registerBackendCandidate({ ...c, load: async () => Promise.reject(new Error(`no ${c.name} here`)) });
    }
    const e = (await useBackend('auto').catch((x) => x)) as DanflowError;
    expect(isDanflowError(e, 'BACKEND_UNAVAILABLE')).toBe(true);
    const eligible = originals.filter((c) => c.autoEligible).map((c) => c.name);
    for (const name of eligible) expect(e.message).toContain(`${name}: no ${name} here`);
    expect((e.details as { backend: string }[]).map((d) => d.backend)).toEqual(eligible);
  });

  it('a failed backend can be retried once it works (failures are not memoised)', async () => {
    const wasm = originals.find((c) => c.name === 'wasm')!;
    let fail = true;
    registerBackendCandidate({ ...wasm, load: async (auto) => (fail ? Promise.reject(new Error('not yet')) : wasm.load(auto)) });
    await expect(useBackend('wasm')).rejects.toThrow(/not yet/);
    fail = false;
    expect(await useBackend('wasm')).toBe('wasm');
  });

  it('tensorflow names the packages to install', async () => {
    const e = await useBackend('tensorflow').catch((x) => x);
    expect(isDanflowError(e, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect(e.message).toMatch(/npm install @tensorflow\/tfjs-node/);
  });
});
