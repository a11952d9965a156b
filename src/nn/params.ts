import * as tf from '@tensorflow/tfjs-core';

/**
 * Named model state. Keys follow the PyTorch reference's state_dict names; values are stored in
 * the SDK's NHWC-friendly layout (see layout.ts for the conversions).
 */
export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly trainableKeys = new Set<string>();
  private writes = 0;

  /**
   * Counts writes to any parameter. Every write path (Adam steps, BatchNorm running statistics,
   * restoring the best epoch's weights) goes through Variable.assign, which add() wraps, so a
   * compiled copy of the model keyed by this number is never stale.
   */
  get version(): number {
    return this.writes;
  }

  add(key: string, value: tf.Tensor, trainable: boolean): tf.Variable {
    if (this.vars.has(key)) throw new Error(`duplicate parameter ${key}`);
    // Unnamed: tfjs variable names are global, and two detectors may share parameter keys.
    const v = tf.variable(value, trainable);
    value.dispose();
    const assign = v.assign.bind(v);
    v.assign = (next: tf.Tensor): void => {
      assign(next);
      this.writes++;
    };
    this.vars.set(key, v);
    if (trainable) this.trainableKeys.add(key);
    return v;
  }

  get(key: string): tf.Variable {
    const v = this.vars.get(key);
    if (!v) throw new Error(`missing parameter ${key}`);
    return v;
  }

  has(key: string): boolean {
    return this.vars.has(key);
  }

  keys(): string[] {
    return [...this.vars.keys()];
  }

  isTrainable(key: string): boolean {
    return this.trainableKeys.has(key);
  }

  trainable(): Map<string, tf.Variable> {
    return new Map([...this.trainableKeys].map((k) => [k, this.vars.get(k)!]));
  }

  countTrainable(): number {
    let n = 0;
    for (const k of this.trainableKeys) n += this.vars.get(k)!.size;
    return n;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.trainableKeys.clear();
  }
}
