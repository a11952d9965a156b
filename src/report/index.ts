/** Evaluation and reports: metrics over a test set, five-panel figures, the HTML report. */
export { panelImages, composeStrip, renderPanels, PANEL_LABELS } from './panels.js';
export type { PanelInput, PanelOptions } from './panels.js';
export { evaluate, evaluationSummary, downsampleCurve, operatingPoint } from './evaluate.js';
export type { EvalSample, EvaluatedImage, EvaluateOptions, EvaluationMetrics, EvaluationResult, EvaluationTimings, CurvePoints, OperatingPoint } from './evaluate.js';
export { renderHtmlReport } from './html.js';
export type { ReportCategory, ReportModelInfo } from './html.js';
export { writeReport, reportJson, panelPath } from './write.js';
export type { ReportOptions, ReportFiles, MaskThresholdChoice } from './write.js';
export { curveChart, scoreHistogram } from './svg.js';
