// WebAssembly-SIMD kernels for a DANFlow training step on tfjs-backend-wasm, in AssemblyScript.
// `npm run build:kernels` (part of `npm run build`) compiles this file twice — importing a plain
// memory (tfjs's simd build) and a shared one (its threaded build) — into
// src/nn/wasm/train-kernels.generated.ts, which is not committed.
//
// The module has no memory of its own: it imports tfjs-backend-wasm's heap ("env.memory") and reads
// and writes tensors in place at the `memoryOffset` tfjs keeps for each tensor. It has no static
// data and no allocator; scratch space is malloc'ed by the caller from the tfjs heap. So it works
// on whatever heap it is given and costs a few KB.
//
// Layout: rows are NHWC pixels (or matrix rows), channels go four at a time (f32x4) with a scalar
// tail when c % 4 ≠ 0 (real flow widths are multiples of 4; the golden fixtures' odd widths
// exercise the tails). Sums over rows go into float64 accumulators (they can run over 32 768 rows);
// products and per-element arithmetic are float32, as in a float32 framework.

@inline function add64(acc64: usize, v: f32): void {
  store<f64>(acc64, load<f64>(acc64) + <f64>v);
}

/** Lanes 2, 3 of a f32x4 promoted to f64x2. */
@inline function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

/** acc64[0..3] += v[0..3] (acc64 points at four consecutive float64). */
@inline function addTo64(acc64: usize, v: v128): void {
  v128.store(acc64, f64x2.add(v128.load(acc64), f64x2.promote_low_f32x4(v)));
  v128.store(acc64 + 16, f64x2.add(v128.load(acc64 + 16), promoteHigh(v)));
}

// ---------------------------------------------------------------------------------------------
// Train-mode BatchNorm (+ ReLU6) over the channels of [rows, c].

/** sum64[ch] = Σ_rows x[row, ch]. */
export function channel_sum(x: usize, rows: i32, c: i32, sum64: usize): void {
  memory.fill(sum64, 0, <usize>c * 8);
  const stride = <usize>c * 4;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * stride;
    let ch = 0;
    for (; ch + 4 <= c; ch += 4) addTo64(sum64 + <usize>ch * 8, v128.load(xr + <usize>ch * 4));
    for (; ch < c; ch++) add64(sum64 + <usize>ch * 8, load<f32>(xr + <usize>ch * 4));
  }
}

/** sq64[ch] = Σ_rows (x[row, ch] − mean[ch])²  (mean: c float32; the second of two passes). */
export function channel_sqdev(x: usize, rows: i32, c: i32, mean32: usize, sq64: usize): void {
  memory.fill(sq64, 0, <usize>c * 8);
  const stride = <usize>c * 4;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * stride;
    let ch = 0;
    for (; ch + 4 <= c; ch += 4) {
      const d = f32x4.sub(v128.load(xr + <usize>ch * 4), v128.load(mean32 + <usize>ch * 4));
      addTo64(sq64 + <usize>ch * 8, f32x4.mul(d, d));
    }
    for (; ch < c; ch++) {
      const d = load<f32>(xr + <usize>ch * 4) - load<f32>(mean32 + <usize>ch * 4);
      add64(sq64 + <usize>ch * 8, d * d);
    }
  }
}

/** y = x·a + s per channel, clamped to [0, 6] when relu6 ≠ 0. */
export function bn_apply(x: usize, y: usize, rows: i32, c: i32, a32: usize, s32: usize, relu6: i32): void {
  const stride = <usize>c * 4;
  const zero = f32x4.splat(0);
  const six = f32x4.splat(6);
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * stride;
    const yr = y + <usize>r * stride;
    let ch = 0;
    for (; ch + 4 <= c; ch += 4) {
      const o = <usize>ch * 4;
      let v = f32x4.add(f32x4.mul(v128.load(xr + o), v128.load(a32 + o)), v128.load(s32 + o));
      if (relu6) v = f32x4.min(f32x4.max(v, zero), six);
      v128.store(yr + o, v);
    }
    for (; ch < c; ch++) {
      const o = <usize>ch * 4;
      let v: f32 = load<f32>(xr + o) * load<f32>(a32 + o) + load<f32>(s32 + o);
      if (relu6) v = min<f32>(max<f32>(v, 0), 6);
      store<f32>(yr + o, v);
    }
  }
}

/** dy where the forward's ReLU6 passed (0 < x·a + s < 6, recomputed with bn_apply's float32 ops). */
@inline function maskedGrad(dy: v128, xv: v128, a: v128, s: v128, relu6: i32): v128 {
  if (!relu6) return dy;
  const v = f32x4.add(f32x4.mul(xv, a), s);
  return v128.and(dy, v128.and(f32x4.gt(v, f32x4.splat(0)), f32x4.lt(v, f32x4.splat(6))));
}

@inline function maskedGrad1(dy: f32, xv: f32, a: f32, s: f32, relu6: i32): f32 {
  if (!relu6) return dy;
  const v: f32 = xv * a + s;
  return v > 0 && v < 6 ? dy : 0;
}

/** dbeta64[ch] = Σ g, dgraw64[ch] = Σ g·(x − mean), with g = dy (ReLU6-masked when relu6 ≠ 0). */
export function bn_grad_sums(dy: usize, x: usize, rows: i32, c: i32, a32: usize, s32: usize, mean32: usize, relu6: i32, dbeta64: usize, dgraw64: usize): void {
  memory.fill(dbeta64, 0, <usize>c * 8);
  memory.fill(dgraw64, 0, <usize>c * 8);
  const stride = <usize>c * 4;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * stride;
    const dr = dy + <usize>r * stride;
    let ch = 0;
    for (; ch + 4 <= c; ch += 4) {
      const o = <usize>ch * 4;
      const xv = v128.load(xr + o);
      const g = maskedGrad(v128.load(dr + o), xv, v128.load(a32 + o), v128.load(s32 + o), relu6);
      addTo64(dbeta64 + <usize>ch * 8, g);
      addTo64(dgraw64 + <usize>ch * 8, f32x4.mul(g, f32x4.sub(xv, v128.load(mean32 + o))));
    }
    for (; ch < c; ch++) {
      const o = <usize>ch * 4;
      const xv = load<f32>(xr + o);
      const g = maskedGrad1(load<f32>(dr + o), xv, load<f32>(a32 + o), load<f32>(s32 + o), relu6);
      add64(dbeta64 + <usize>ch * 8, g);
      add64(dgraw64 + <usize>ch * 8, g * (xv - load<f32>(mean32 + o)));
    }
  }
}

/** dx = g·p + (x − mean)·q + t per channel (p = γ·rstd, q = −γ·rstd³·Σg(x−μ)/M, t = −γ·rstd·Σg/M). */
export function bn_grad_dx(dy: usize, x: usize, dx: usize, rows: i32, c: i32, a32: usize, s32: usize, mean32: usize, relu6: i32, p32: usize, q32: usize, t32: usize): void {
  const stride = <usize>c * 4;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * stride;
    const dr = dy + <usize>r * stride;
    const or = dx + <usize>r * stride;
    let ch = 0;
    for (; ch + 4 <= c; ch += 4) {
      const o = <usize>ch * 4;
      const xv = v128.load(xr + o);
      const g = maskedGrad(v128.load(dr + o), xv, v128.load(a32 + o), v128.load(s32 + o), relu6);
      const d = f32x4.sub(xv, v128.load(mean32 + o));
      v128.store(or + o, f32x4.add(f32x4.add(f32x4.mul(g, v128.load(p32 + o)), f32x4.mul(d, v128.load(q32 + o))), v128.load(t32 + o)));
    }
    for (; ch < c; ch++) {
      const o = <usize>ch * 4;
      const xv = load<f32>(xr + o);
      const g = maskedGrad1(load<f32>(dr + o), xv, load<f32>(a32 + o), load<f32>(s32 + o), relu6);
      const d: f32 = xv - load<f32>(mean32 + o);
      store<f32>(or + o, g * load<f32>(p32 + o) + d * load<f32>(q32 + o) + load<f32>(t32 + o));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Depthwise 3×3 (stride 1, zero pad 1) filter gradient.

/**
 * out64[(i·3 + j)·c + ch] = Σ_{b,r,q} x[b, r+i−1, q+j−1, ch]·dy[b, r, q, ch].
 * Per image the nine taps of four channels accumulate in registers (f32x4) along the rows, are
 * stored to acc32 (9·c floats) and then added into out64 in float64.
 */
export function dw_filter_grad3x3(x: usize, dy: usize, n: i32, h: i32, w: i32, c: i32, acc32: usize, out64: usize): void {
  memory.fill(out64, 0, <usize>(9 * c) * 8);
  const px = <usize>c * 4; // bytes per pixel
  const row = <usize>w * px;
  const zero = f32x4.splat(0);
  for (let b = 0; b < n; b++) {
    memory.fill(acc32, 0, <usize>(9 * c) * 4);
    const img = <usize>b * <usize>h * row;
    let ch = 0;
    for (; ch + 4 <= c; ch += 4) {
      const co = <usize>ch * 4;
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero, a8 = zero;
      for (let r = 0; r < h; r++) {
        const dRow = dy + img + <usize>r * row + co;
        const hasUp = r > 0;
        const hasDown = r < h - 1;
        const xMid = x + img + <usize>r * row + co;
        const xUp = xMid - row;
        const xDown = xMid + row;
        for (let q = 0; q < w; q++) {
          const qo = <usize>q * px;
          const d = v128.load(dRow + qo);
          const hasL = q > 0;
          const hasR = q < w - 1;
          a4 = f32x4.add(a4, f32x4.mul(v128.load(xMid + qo), d));
          if (hasL) a3 = f32x4.add(a3, f32x4.mul(v128.load(xMid + qo - px), d));
          if (hasR) a5 = f32x4.add(a5, f32x4.mul(v128.load(xMid + qo + px), d));
          if (hasUp) {
            a1 = f32x4.add(a1, f32x4.mul(v128.load(xUp + qo), d));
            if (hasL) a0 = f32x4.add(a0, f32x4.mul(v128.load(xUp + qo - px), d));
            if (hasR) a2 = f32x4.add(a2, f32x4.mul(v128.load(xUp + qo + px), d));
          }
          if (hasDown) {
            a7 = f32x4.add(a7, f32x4.mul(v128.load(xDown + qo), d));
            if (hasL) a6 = f32x4.add(a6, f32x4.mul(v128.load(xDown + qo - px), d));
            if (hasR) a8 = f32x4.add(a8, f32x4.mul(v128.load(xDown + qo + px), d));
          }
        }
      }
      const tap = <usize>c * 4;
      v128.store(acc32 + co, a0);
      v128.store(acc32 + tap + co, a1);
      v128.store(acc32 + 2 * tap + co, a2);
      v128.store(acc32 + 3 * tap + co, a3);
      v128.store(acc32 + 4 * tap + co, a4);
      v128.store(acc32 + 5 * tap + co, a5);
      v128.store(acc32 + 6 * tap + co, a6);
      v128.store(acc32 + 7 * tap + co, a7);
      v128.store(acc32 + 8 * tap + co, a8);
    }
    for (; ch < c; ch++) dwTail(x + img, dy + img, h, w, c, ch, acc32);
    for (let k = 0; k < 9 * c; k++) add64(out64 + <usize>k * 8, load<f32>(acc32 + <usize>k * 4));
  }
}

/** One channel of dw_filter_grad3x3 for one image (scalar), for the c % 4 tail. */
function dwTail(x: usize, dy: usize, h: i32, w: i32, c: i32, ch: i32, acc32: usize): void {
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let acc: f32 = 0;
      for (let r = 0; r < h; r++) {
        const rr = r + i - 1;
        if (rr < 0 || rr >= h) continue;
        for (let q = 0; q < w; q++) {
          const qq = q + j - 1;
          if (qq < 0 || qq >= w) continue;
          acc += load<f32>(x + ((<usize>(rr * w + qq) * c + ch) << 2)) * load<f32>(dy + ((<usize>(r * w + q) * c + ch) << 2));
        }
      }
      store<f32>(acc32 + (<usize>((i * 3 + j) * c + ch) << 2), acc);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 1×1 convolution weight gradient: dW = aᵀ·dy over P = N·H·W rows.

/** Rows per block: the block's a and dy rows stay in cache while every output tile passes over them. */
const PW_BLOCK: i32 = 128;

/**
 * out64[i·cout + j] = Σ_p a[p, i]·dy[p, j]  (a: [P, cin], dy: [P, cout], both row-major).
 *
 * tfjs-wasm computes this as a matMul whose contraction runs over P = 32 768 rows; XNNPACK needs a
 * transposed, re-packed operand for that and ran it 4× slower than a forward matMul of the same
 * size. Here the output is tiled 4 (i) × 8 (j) in eight f32x4 registers; each row p adds the outer
 * product of a[p, i..i+3] and dy[p, j..j+7]. Rows are taken in blocks of PW_BLOCK, summed in
 * float32 inside a block and in float64 across blocks.
 */
export function pw_weight_grad(a: usize, dy: usize, p: i32, cin: i32, cout: i32, out64: usize): void {
  memory.fill(out64, 0, <usize>cin * <usize>cout * 8);
  for (let p0 = 0; p0 < p; p0 += PW_BLOCK) {
    const p1 = min(p0 + PW_BLOCK, p);
    let i = 0;
    for (; i + 4 <= cin; i += 4) {
      let j = 0;
      for (; j + 8 <= cout; j += 8) pwTile4x8(a, dy, p0, p1, cin, cout, i, j, out64);
      for (; j < cout; j++) pwColumn4(a, dy, p0, p1, cin, cout, i, j, out64);
    }
    for (; i < cin; i++) for (let j = 0; j < cout; j++) pwScalar(a, dy, p0, p1, cin, cout, i, j, out64);
  }
}

/** Adds four f32 lanes into out64[o..o+3]. */
@inline function flush4(out64: usize, o: usize, v: v128): void {
  addTo64(out64 + o * 8, v);
}

@inline function splatLane0(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 0, 0, 0, 0);
}
@inline function splatLane1(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 1, 1, 1, 1);
}
@inline function splatLane2(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 2, 2, 2, 2);
}
@inline function splatLane3(v: v128): v128 {
  return v128.shuffle<f32>(v, v, 3, 3, 3, 3);
}

function pwTile4x8(a: usize, dy: usize, p0: i32, p1: i32, cin: i32, cout: i32, i: i32, j: i32, out64: usize): void {
  const zero = f32x4.splat(0);
  let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
  const aStride = <usize>cin * 4;
  const dStride = <usize>cout * 4;
  let ap = a + <usize>p0 * aStride + <usize>i * 4;
  let dp = dy + <usize>p0 * dStride + <usize>j * 4;
  for (let r = p0; r < p1; r++) {
    const av = v128.load(ap);
    const d0 = v128.load(dp);
    const d1 = v128.load(dp + 16);
    const s0 = splatLane0(av);
    c00 = f32x4.add(c00, f32x4.mul(s0, d0));
    c01 = f32x4.add(c01, f32x4.mul(s0, d1));
    const s1 = splatLane1(av);
    c10 = f32x4.add(c10, f32x4.mul(s1, d0));
    c11 = f32x4.add(c11, f32x4.mul(s1, d1));
    const s2 = splatLane2(av);
    c20 = f32x4.add(c20, f32x4.mul(s2, d0));
    c21 = f32x4.add(c21, f32x4.mul(s2, d1));
    const s3 = splatLane3(av);
    c30 = f32x4.add(c30, f32x4.mul(s3, d0));
    c31 = f32x4.add(c31, f32x4.mul(s3, d1));
    ap += aStride;
    dp += dStride;
  }
  const row = <usize>cout;
  const o = <usize>i * row + <usize>j;
  flush4(out64, o, c00);
  flush4(out64, o + 4, c01);
  flush4(out64, o + row, c10);
  flush4(out64, o + row + 4, c11);
  flush4(out64, o + 2 * row, c20);
  flush4(out64, o + 2 * row + 4, c21);
  flush4(out64, o + 3 * row, c30);
  flush4(out64, o + 3 * row + 4, c31);
}

/** Column j of rows i..i+3 (the cout % 8 tail): a[p, i..i+3]·dy[p, j]. */
function pwColumn4(a: usize, dy: usize, p0: i32, p1: i32, cin: i32, cout: i32, i: i32, j: i32, out64: usize): void {
  let acc = f32x4.splat(0);
  for (let r = p0; r < p1; r++) {
    const av = v128.load(a + (<usize>r * <usize>cin + <usize>i) * 4);
    acc = f32x4.add(acc, f32x4.mul(av, f32x4.splat(load<f32>(dy + (<usize>r * <usize>cout + <usize>j) * 4))));
  }
  const row = <usize>cout;
  const o = <usize>i * row + <usize>j;
  add64(out64 + o * 8, f32x4.extract_lane(acc, 0));
  add64(out64 + (o + row) * 8, f32x4.extract_lane(acc, 1));
  add64(out64 + (o + 2 * row) * 8, f32x4.extract_lane(acc, 2));
  add64(out64 + (o + 3 * row) * 8, f32x4.extract_lane(acc, 3));
}

/** One output element (the cin % 4 tail). */
function pwScalar(a: usize, dy: usize, p0: i32, p1: i32, cin: i32, cout: i32, i: i32, j: i32, out64: usize): void {
  let acc: f32 = 0;
  for (let r = p0; r < p1; r++) acc += load<f32>(a + (<usize>r * <usize>cin + <usize>i) * 4) * load<f32>(dy + (<usize>r * <usize>cout + <usize>j) * 4);
  add64(out64 + (<usize>i * <usize>cout + <usize>j) * 8, acc);
}

// ---------------------------------------------------------------------------------------------
// Channel permutation and conversions.

/** y[row, i] = x[row, perm[i]]  (perm: c int32). */
export function gather_channels(x: usize, y: usize, rows: i32, c: i32, perm: usize): void {
  const stride = <usize>c * 4;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * stride;
    const yr = y + <usize>r * stride;
    for (let i = 0; i < c; i++) store<f32>(yr + <usize>i * 4, load<f32>(xr + (<usize>load<i32>(perm + <usize>i * 4) << 2)));
  }
}

/** out32[k] = in64[k] rounded to float32, k < count. */
export function f64_to_f32(in64: usize, out32: usize, count: i32): void {
  for (let k = 0; k < count; k++) store<f32>(out32 + <usize>k * 4, <f32>load<f64>(in64 + <usize>k * 8));
}
