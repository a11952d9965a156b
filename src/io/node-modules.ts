/**
 * The only door from the core to Node's built-in modules, opened on first use. The browser build
 * swaps this file for node-modules.browser.ts (tsup.config.ts), so bundlers never meet a `node:`
 * import from danflow and apps get a clear error instead of a polyfill warning.
 */
export const nodeFs = (): Promise<typeof import('node:fs/promises')> => import('node:fs/promises');
export const nodePath = (): Promise<typeof import('node:path')> => import('node:path');
export const nodeOs = (): Promise<typeof import('node:os')> => import('node:os');
export const nodeModule = (): Promise<{ createRequire: (typeof import('node:module'))['createRequire'] }> => import('node:module');
