/**
 * The per-channel coefficients of train-mode BatchNorm, shared by the cpu and wasm kernels so both
 * round the same way. Computed in float64 from the float32 statistics the tensors hold, then kept
 * as float32 (what a float32 framework holds): the backward recomputes the forward's y from exactly
 * these, so its ReLU6 mask is the forward's.
 */
export const BN_EPS = 1e-5;

/** y = x·a + s with a = γ/√(σ²+ε), s = β − μ·a; rstd = 1/√(σ²+ε). */
export function bnAffine(mean: ArrayLike<number>, variance: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>, c: number): { a: Float32Array; s: Float32Array; rstd: Float64Array } {
  const a = new Float32Array(c);
  const s = new Float32Array(c);
  const rstd = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    rstd[ch] = 1 / Math.sqrt(variance[ch] + BN_EPS);
    a[ch] = rstd[ch] * gamma[ch];
    s[ch] = beta[ch] - mean[ch] * a[ch];
  }
  return { a, s, rstd };
}

/**
 * From the whole batch's Σg and Σg·(x − μ) over m rows (g = dy, masked by ReLU6 when fused):
 *   dγ = rstd·Σg(x−μ),  dβ = Σg,  dx = g·p + (x − μ)·q + t
 * with p = γ·rstd, q = −γ·rstd³·Σg(x−μ)/m, t = −γ·rstd·Σg/m — dx = γ·rstd·(g − dβ/m − x̂·dγ/m).
 */
export function bnGradCoefficients(sumG: ArrayLike<number>, sumGx: ArrayLike<number>, m: number, gamma: ArrayLike<number>, rstd: Float64Array, c: number): { dgamma: Float32Array; dbeta: Float32Array; p: Float32Array; q: Float32Array; t: Float32Array } {
  const dgamma = new Float32Array(c);
  const dbeta = new Float32Array(c);
  const p = new Float32Array(c);
  const q = new Float32Array(c);
  const t = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) {
    const r = rstd[ch];
    const gr = gamma[ch] * r;
    dgamma[ch] = sumGx[ch] * r;
    dbeta[ch] = sumG[ch];
    p[ch] = gr;
    q[ch] = (-gr * r * r * sumGx[ch]) / m;
    t[ch] = (-gr * sumG[ch]) / m;
  }
  return { dgamma, dbeta, p, q, t };
}
