/**
 * ONNX Runtime as an optional peer dependency: onnxruntime-node in Node, onnxruntime-web in
 * browsers, loaded on first use and never bundled with danflow. Both expose the same
 * onnxruntime-common API (InferenceSession, Tensor, env), of which OrtModule is the slice we use.
 */
import { env, isNode } from '../../core/env.js';
import { DanflowError, describeError } from '../../core/errors.js';
import { nodeModule } from '../../io/node-modules.js';

export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  dispose?(): void;
}

export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** The part of onnxruntime-common's API the engine uses (keeps both packages optional for the types too). */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  env?: { wasm?: { numThreads?: number; wasmPaths?: unknown }; logLevel?: string };
}

/** Finds and loads a package by name; replaceable so tests can see a package missing for real. */
export type PackageLoader = (name: string) => Promise<unknown>;

/**
 * Node: require() resolved from `from` (default: danflow's own location, where a peer dependency
 * is installed). onnxruntime-node is CommonJS with a native addon, so require is its natural door.
 */
export function nodePackageLoader(from: string | URL = import.meta.url): PackageLoader {
  return async (name) => {
    const { createRequire } = await nodeModule();
    return createRequire(from)(name);
  };
}

/**
 * Browsers: a bare import the bundler does not see (so apps without the package still build); it
 * resolves through the page's import map. Bundled apps set env.onnxruntime instead (see env).
 */
const browserPackageLoader: PackageLoader = (name) => (new Function('n', 'return import(n)') as (n: string) => Promise<unknown>)(name);

let loader: PackageLoader | undefined;

/** Replaces the package loader (tests); undefined restores the default. */
export function setPackageLoader(next: PackageLoader | undefined): void {
  loader = next;
  loaded = undefined;
}

export const ORT_PACKAGE = isNode ? 'onnxruntime-node' : 'onnxruntime-web';

/** The install command for the package this platform needs, as the error message gives it. */
export function installCommand(pkg: string = ORT_PACKAGE): string {
  // onnxruntime-node's install script only fetches CUDA binaries; the CPU one ships in the package.
  return pkg === 'onnxruntime-node' ? 'ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install onnxruntime-node' : `npm install ${pkg}`;
}

let loaded: Promise<OrtModule> | undefined;

function asOrtModule(m: unknown): OrtModule | undefined {
  const mod = m as Partial<OrtModule> & { default?: Partial<OrtModule> };
  const candidate = mod?.InferenceSession ? mod : mod?.default;
  return candidate?.InferenceSession && candidate.Tensor ? (candidate as OrtModule) : undefined;
}

/** The onnxruntime module (env.onnxruntime when set), or an ENGINE_UNAVAILABLE error naming the install command. */
export function loadOrt(): Promise<OrtModule> {
  if (env.onnxruntime) {
    const given = asOrtModule(env.onnxruntime);
    if (!given) return Promise.reject(new DanflowError('BAD_CONFIG', 'env.onnxruntime is not an onnxruntime module (expected `import * as ort from "onnxruntime-web"`).'));
    return Promise.resolve(given);
  }
  loaded ??= (async () => {
    const load = loader ?? (isNode ? nodePackageLoader() : browserPackageLoader);
    let m: unknown;
    try {
      m = await load(ORT_PACKAGE);
    } catch (e) {
      throw new DanflowError('ENGINE_UNAVAILABLE', `engine 'onnxruntime' needs the optional package ${ORT_PACKAGE}: run \`${installCommand()}\`${isNode ? '' : ', then set env.onnxruntime = await import(\'onnxruntime-web\')'}. (${describeError(e).split('\n')[0]})`, { cause: e });
    }
    const ort = asOrtModule(m);
    if (!ort) throw new DanflowError('ENGINE_UNAVAILABLE', `${ORT_PACKAGE} loaded but has no InferenceSession: reinstall it (\`${installCommand()}\`).`);
    return ort;
  })();
  // A failure is not memoised: the package may be installed later in the same process.
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}
