import * as tf from '@tensorflow/tfjs-core';

export interface AdamOptions {
  learningRate: number;
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adam exactly as `torch.optim.Adam(weight_decay=…)`: the L2 term is added to the gradient (not
 * decoupled as in AdamW), and the update is lr/bc1 · m / (√v/√bc2 + ε).
 */
export class Adam {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private t = 0;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;

  /** Current rate; a schedule may change it between steps. */
  learningRate: number;

  constructor(private readonly opts: AdamOptions) {
    this.learningRate = opts.learningRate;
    this.b1 = opts.beta1 ?? 0.9;
    this.b2 = opts.beta2 ?? 0.999;
    this.eps = opts.epsilon ?? 1e-8;
  }

  get step(): number {
    return this.t;
  }

  apply(params: Map<string, tf.Variable>, grads: Record<string, tf.Tensor>): void {
    this.t += 1;
    const bc1 = 1 - this.b1 ** this.t;
    const bc2 = 1 - this.b2 ** this.t;
    const stepSize = this.learningRate / bc1;
    for (const [key, p] of params) {
      const g0 = grads[key];
      if (!g0) continue;
      if (!this.m.has(key)) {
        // A variable shares its initial tensor's data; the initial tensor itself must be freed.
        const zeros = tf.zerosLike(p);
        this.m.set(key, tf.variable(zeros, false));
        this.v.set(key, tf.variable(zeros, false));
        zeros.dispose();
      }
      const m = this.m.get(key)!;
      const v = this.v.get(key)!;
      tf.tidy(() => {
        const g = this.opts.weightDecay ? tf.add(g0, tf.mul(p, this.opts.weightDecay)) : g0;
        m.assign(tf.add(tf.mul(m, this.b1), tf.mul(g, 1 - this.b1)));
        v.assign(tf.add(tf.mul(v, this.b2), tf.mul(tf.square(g), 1 - this.b2)));
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), this.eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)));
      });
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
