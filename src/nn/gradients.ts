/**
 * tfjs-core's gradient functions, registered on first need (training). Inference never pays for
 * them: in browsers they are a chunk of their own, loaded when fit starts.
 */
let loaded: Promise<unknown> | undefined;

export function ensureGradients(): Promise<unknown> {
  loaded ??= import('./register-gradients.js');
  return loaded;
}
