/**
 * A fit job: train a model on a dataset's normal training images and save it where the serving
 * workers can load it. The save is atomic (the library writes beside the target and renames), so a
 * worker killed mid-fit never leaves a half-written model for the next attempt or a reader.
 */
import { createDetector, DanflowError, type BackendRequest, type ProgressEvent } from '../../index.js';
import { openDataset } from '../../node.js';
import type { FitJob, FitJobResult } from './jobs.js';

export async function runFitJob(job: FitJob, defaults: { backend: BackendRequest; worker: string }, progress: (p: { epoch: number; epochs: number; loss: number }) => void): Promise<FitJobResult> {
  if (!job || typeof job.out !== 'string' || job.out === '' || typeof job.dataset !== 'object' || job.dataset === null) {
    throw new DanflowError('BAD_ARGUMENT', 'A fit job needs "dataset" (openDataset options) and "out" (where to save the model).');
  }
  const t0 = performance.now();
  const dataset = await openDataset(job.dataset);
  const images = [];
  for await (const sample of dataset.train()) images.push(await sample.image());
  if (images.length === 0) throw new DanflowError('EMPTY_DATASET', `No training images in ${dataset.root}.`);
  const detector = await createDetector({ backend: defaults.backend, ...job.config });
  try {
    const onProgress = (e: ProgressEvent) => {
      if (e.type === 'epoch') progress({ epoch: e.epoch, epochs: e.epochs, loss: e.loss });
    };
    const fit = await detector.fit(images, { ...job.fit, onProgress });
    await detector.save(job.out);
    return { out: job.out, images: images.length, epochs: fit.epochs, seconds: (performance.now() - t0) / 1000, threshold: detector.threshold ?? null, worker: defaults.worker };
  } finally {
    detector.dispose();
  }
}
