import type * as tf from '@tensorflow/tfjs-core';
import { DanflowError } from '../../core/errors.js';
import { TRAIN_KERNELS_WASM, TRAIN_KERNELS_WASM_SHARED } from '../wasm/train-kernels.generated.js';
import { bnAffine, bnGradCoefficients } from './batch-norm-math.js';
import type { KernelArgs } from './cpu.js';

/**
 * The training kernels on tfjs-backend-wasm: the WebAssembly-SIMD module of
 * assembly/train-kernels.ts, instantiated on tfjs's own heap, so it works on the tensors in place.
 * Outputs are allocated by tfjs (makeOutput), scratch with tfjs's malloc; typed-array views of the
 * heap are taken only after the last allocation of a call, because an allocation may grow (and so
 * replace) the heap's buffer.
 *
 * Scalar JS over the heap was tried first and was as slow as the tfjs kernels it replaced
 * (≈ 3 ns per element and pass); SIMD is what makes these pay.
 */

type Info = tf.TensorInfo;

interface KernelExports {
  channel_sum(x: number, rows: number, c: number, sum64: number): void;
  channel_sqdev(x: number, rows: number, c: number, mean32: number, sq64: number): void;
  bn_apply(x: number, y: number, rows: number, c: number, a32: number, s32: number, relu6: number): void;
  bn_grad_sums(dy: number, x: number, rows: number, c: number, a32: number, s32: number, mean32: number, relu6: number, sumG64: number, sumGx64: number): void;
  bn_grad_dx(dy: number, x: number, dx: number, rows: number, c: number, a32: number, s32: number, mean32: number, relu6: number, p32: number, q32: number, t32: number): void;
  dw_filter_grad3x3(x: number, dy: number, n: number, h: number, w: number, c: number, acc32: number, out64: number): void;
  pw_weight_grad(a: number, dy: number, p: number, cin: number, cout: number, out64: number): void;
  gather_channels(x: number, y: number, rows: number, c: number, perm: number): void;
  f64_to_f32(in64: number, out32: number, count: number): void;
}

/** What the kernels use of tfjs-backend-wasm's BackendWasm (tfjs is pinned; see the guard test). */
interface WasmBackendLike {
  wasm: { _malloc(n: number): number; _free(p: number): void; wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  makeOutput(shape: number[], dtype: string): Info;
  dataIdMap: { get(id: object): { memoryOffset: number } };
}

interface Heap {
  k: KernelExports;
  memory: WebAssembly.Memory;
  out(shape: number[]): Info;
  at(t: Info): number;
  /** 16-byte-aligned scratch; returns [aligned pointer, raw pointer to free]. */
  scratch(bytes: number): [number, number];
  free(raw: number): void;
  f32(ptr: number, n: number): Float32Array;
  f64(ptr: number, n: number): Float64Array;
}

const heaps = new WeakMap<object, Heap>();

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const B = (globalThis as { Buffer?: { from(s: string, e: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(b64, 'base64'));
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The tfjs heap: `wasmMemory` on the threaded build, the instance's exported memory otherwise. */
export function tfjsWasmMemory(backend: tf.KernelBackend): WebAssembly.Memory | undefined {
  const b = backend as unknown as Partial<WasmBackendLike>;
  return b.wasm?.wasmMemory ?? b.wasm?.asm?.memory;
}

/** The kernel module instantiated on this backend's heap (once per backend instance). */
function heapOf(backend: tf.KernelBackend): Heap {
  const known = heaps.get(backend);
  if (known) return known;
  const b = backend as unknown as WasmBackendLike;
  const memory = tfjsWasmMemory(backend);
  if (!memory || typeof b.makeOutput !== 'function' || typeof b.wasm._malloc !== 'function') {
    throw new DanflowError('UNSUPPORTED', "danflow's wasm training kernels could not find tfjs-backend-wasm's heap; the @tensorflow/tfjs-backend-wasm version differs from the one danflow pins.");
  }
  // A memory import must match the heap's kind: shared on the threaded build.
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const module = new WebAssembly.Module(decodeBase64(shared ? TRAIN_KERNELS_WASM_SHARED : TRAIN_KERNELS_WASM));
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const heap: Heap = {
    k,
    memory,
    out: (shape) => b.makeOutput(shape, 'float32'),
    at: (t) => b.dataIdMap.get(t.dataId).memoryOffset,
    scratch: (bytes) => {
      const raw = b.wasm._malloc(bytes + 16);
      return [(raw + 15) & ~15, raw];
    },
    free: (raw) => b.wasm._free(raw),
    f32: (ptr, n) => new Float32Array(memory.buffer, ptr, n),
    f64: (ptr, n) => new Float64Array(memory.buffer, ptr, n),
  };
  heaps.set(backend, heap);
  return heap;
}

const rowsOf = (t: Info): number => t.shape.reduce((a, b) => a * b, 1) / t.shape[t.shape.length - 1];

export function batchNormTrainWasm({ inputs, backend, attrs }: KernelArgs): Info[] {
  const { x, gamma, beta } = inputs as Record<string, Info>;
  const c = x.shape[x.shape.length - 1];
  const m = rowsOf(x);
  const H = heapOf(backend);
  const y = H.out(x.shape);
  const meanOut = H.out([c]);
  const varOut = H.out([c]);
  const [acc64, raw] = H.scratch(c * 16);
  const a32 = acc64 + c * 8;
  const s32 = a32 + c * 4;
  try {
    H.k.channel_sum(H.at(x), m, c, acc64);
    const mean = H.f32(H.at(meanOut), c);
    const sum = H.f64(acc64, c);
    for (let ch = 0; ch < c; ch++) mean[ch] = sum[ch] / m;
    H.k.channel_sqdev(H.at(x), m, c, H.at(meanOut), acc64);
    const variance = H.f32(H.at(varOut), c);
    const sq = H.f64(acc64, c);
    for (let ch = 0; ch < c; ch++) variance[ch] = sq[ch] / m;
    const { a, s } = bnAffine(mean, variance, H.f32(H.at(gamma), c), H.f32(H.at(beta), c), c);
    H.f32(a32, c).set(a);
    H.f32(s32, c).set(s);
    H.k.bn_apply(H.at(x), H.at(y), m, c, a32, s32, attrs?.relu6 ? 1 : 0);
  } finally {
    H.free(raw);
  }
  return [y, meanOut, varOut];
}

export function batchNormTrainGradWasm({ inputs, backend, attrs }: KernelArgs): Info[] {
  const { dy, x, mean, variance, gamma, beta } = inputs as Record<string, Info>;
  const relu6 = attrs?.relu6 ? 1 : 0;
  const c = x.shape[x.shape.length - 1];
  const m = rowsOf(x);
  const H = heapOf(backend);
  const dx = H.out(x.shape);
  const dgOut = H.out([c]);
  const dbOut = H.out([c]);
  const [sums64, raw] = H.scratch(c * 36);
  const a32 = sums64 + c * 16;
  const s32 = a32 + c * 4;
  const p32 = s32 + c * 4;
  const q32 = p32 + c * 4;
  const t32 = q32 + c * 4;
  try {
    const G = H.f32(H.at(gamma), c);
    const { a, s, rstd } = bnAffine(H.f32(H.at(mean), c), H.f32(H.at(variance), c), G, H.f32(H.at(beta), c), c);
    H.f32(a32, c).set(a);
    H.f32(s32, c).set(s);
    H.k.bn_grad_sums(H.at(dy), H.at(x), m, c, a32, s32, H.at(mean), relu6, sums64, sums64 + c * 8);
    const sums = H.f64(sums64, 2 * c);
    const { dgamma, dbeta, p, q, t } = bnGradCoefficients(sums.subarray(0, c), sums.subarray(c), m, G, rstd, c);
    H.f32(H.at(dgOut), c).set(dgamma);
    H.f32(H.at(dbOut), c).set(dbeta);
    H.f32(p32, c).set(p);
    H.f32(q32, c).set(q);
    H.f32(t32, c).set(t);
    H.k.bn_grad_dx(H.at(dy), H.at(x), H.at(dx), m, c, a32, s32, H.at(mean), relu6, p32, q32, t32);
  } finally {
    H.free(raw);
  }
  return [dx, dgOut, dbOut];
}

export function depthwise3x3FilterGradWasm({ inputs, backend }: KernelArgs): Info {
  const { x, dy } = inputs as Record<string, Info>;
  const [n, h, w, c] = x.shape;
  const H = heapOf(backend);
  const out = H.out([3, 3, c, 1]);
  const [out64, raw] = H.scratch(9 * c * 12);
  try {
    H.k.dw_filter_grad3x3(H.at(x), H.at(dy), n, h, w, c, out64 + 9 * c * 8, out64);
    H.k.f64_to_f32(out64, H.at(out), 9 * c);
  } finally {
    H.free(raw);
  }
  return out;
}

export function pointwiseWeightGradWasm({ inputs, backend }: KernelArgs): Info {
  const { a, dy } = inputs as Record<string, Info>;
  const [p, cin] = a.shape;
  const cout = dy.shape[1];
  const H = heapOf(backend);
  const out = H.out([cin, cout]);
  const [out64, raw] = H.scratch(cin * cout * 8);
  try {
    H.k.pw_weight_grad(H.at(a), H.at(dy), p, cin, cout, out64);
    H.k.f64_to_f32(out64, H.at(out), cin * cout);
  } finally {
    H.free(raw);
  }
  return out;
}

export function gatherChannelsWasm({ inputs, backend }: KernelArgs): Info {
  const { x, perm } = inputs as Record<string, Info>;
  const H = heapOf(backend);
  const out = H.out(x.shape);
  H.k.gather_channels(H.at(x), H.at(out), rowsOf(x), x.shape[x.shape.length - 1], H.at(perm));
  return out;
}
