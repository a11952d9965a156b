import type { Detector } from '../../src/index.js';
import { DetectorImpl } from '../../src/api/detector-impl.js';
import type { Model } from '../../src/methods/model.js';

/** The network behind a public Detector, for tests that check tensors the API does not expose. */
export function modelOf(det: Detector): Model {
  if (!(det instanceof DetectorImpl)) throw new Error('not a danflow detector');
  return det.model;
}

export function implOf(det: Detector): DetectorImpl {
  if (!(det instanceof DetectorImpl)) throw new Error('not a danflow detector');
  return det;
}
