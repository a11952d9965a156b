/**
 * Typed progress events shared by every long-running call (downloads, fitting, evaluation), so one
 * `onProgress` handler can drive a progress bar for all of them.
 */
export type ProgressEvent =
  | { type: 'download'; url: string; loaded: number; total: number | undefined; cached: boolean }
  | { type: 'features'; done: number; total: number }
  | { type: 'step'; epoch: number; epochs: number; step: number; steps: number; loss: number }
  | { type: 'epoch'; epoch: number; epochs: number; loss: number; seconds: number; validation?: Record<string, number> }
  | { type: 'eval'; done: number; total: number }
  | { type: 'stage'; name: string; message: string };

export type ProgressCallback = (event: ProgressEvent) => void;
