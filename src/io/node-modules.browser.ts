import { DanflowError } from '../core/errors.js';

/** Browser stand-in for node-modules.ts: file-system paths are a Node feature. */
const unsupported = (): Promise<never> =>
  Promise.reject(new DanflowError('UNSUPPORTED', 'This needs Node (file system access); in the browser pass URLs, bytes, indexeddb:// or downloads:// instead.'));

export const nodeFs: () => Promise<typeof import('node:fs/promises')> = unsupported;
export const nodePath: () => Promise<typeof import('node:path')> = unsupported;
export const nodeOs: () => Promise<typeof import('node:os')> = unsupported;
export const nodeModule: () => Promise<{ createRequire: (typeof import('node:module'))['createRequire'] }> = unsupported;
