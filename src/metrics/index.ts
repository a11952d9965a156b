/** Evaluation metrics (spec §6): pixel / image AUROC, AUPRO, and F1-max thresholding. */
export { auroc, rocCurve } from './auroc.js';
export type { RocCurve, ScoreInput, LabelInput } from './auroc.js';
export { f1Max } from './f1.js';
export type { F1Result } from './f1.js';
export { aupro, proCurve } from './aupro.js';
export type { AuproOptions, ProCurveOptions, ProCurve } from './aupro.js';
export { connectedComponents } from './connected-components.js';
export type { Connectivity, ConnectedComponents } from './connected-components.js';
