/**
 * The self-contained HTML report: one file, inline CSS and SVG, images as data URIs, no scripts,
 * fonts or anything else fetched from elsewhere, so it can be mailed or archived as it is.
 */
import { describeConfig, type DetectorConfig, type visualize } from '../index.js';

type NormRange = visualize.NormRange;
import type { EvaluationResult } from './evaluate.js';
import { curveChart, escapeXml, scoreHistogram } from './svg.js';

export interface ReportModelInfo {
  config: DetectorConfig;
  trainableParameters?: number;
  /** Where the backbone weights came from, as shown to people ('random (seeded)', 'hf:timm/…'). */
  weights?: string;
  backend?: string;
  fit?: { seconds: number; epochs: number; finalLoss: number | null; images?: number };
}

export interface ReportCategory {
  category: string;
  evaluation: EvaluationResult;
  model?: ReportModelInfo;
}

/** One image as shown in the HTML (already encoded). */
export interface HtmlImage {
  name: string;
  defectType: string;
  label: 0 | 1;
  score: number;
  normalizedScore?: number;
  dataUri: string;
  width: number;
  height: number;
  /** Relative path of the full-size panel PNG, when written. */
  file?: string;
}

export interface HtmlCategory extends ReportCategory {
  /** Threshold of the predicted masks and of every image decision shown (panels, tags, histogram). */
  maskThreshold: number;
  maskThresholdSource: string;
  imageThreshold: number | undefined;
  /** How many normal images score ≥ the threshold, and defective ones below it. */
  falsePositives: number;
  misses: number;
  range: NormRange;
  /** How the range was chosen, for people. */
  rangeNote: string;
  worstNormal: HtmlImage[];
  worstAnomalous: HtmlImage[];
  gallery: HtmlImage[];
  galleryTotal: number;
}

export interface HtmlReportInput {
  title: string;
  generatedAt: string;
  version: string;
  categories: HtmlCategory[];
  warnings: string[];
  facts: [string, string][];
  colormapGradient: string;
  panelLabels: readonly string[];
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '–' : (v * 100).toFixed(1));
const num = (v: number | null | undefined, digits = 4) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(digits));

export function mean(values: (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

const CSS = `
:root{--bg:#f5f6f8;--card:#fff;--ink:#1b1f27;--muted:#5b6473;--line:#e3e6eb;--accent:#2563eb;--good:#15803d;--bad:#b91c1c}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:28px 24px 48px}
header h1{margin:0;font-size:24px;letter-spacing:-.01em}
header p{margin:4px 0 0;color:var(--muted)}
h2{font-size:18px;margin:30px 0 12px}
h3{font-size:15px;margin:22px 0 10px;color:var(--muted);font-weight:600}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:12px 0}
.warn{background:#fff7e6;border:1px solid #f5c26b;border-radius:10px;padding:12px 16px;margin:16px 0;color:#7a4b00}
.warn b{color:#5c3900}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin:18px 0}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.kpi .v{font-size:28px;font-weight:650;letter-spacing:-.02em}
.kpi .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.kpi .s{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%}
th,td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600}
tr.mean td{font-weight:650;border-top:2px solid var(--ink)}
table.facts td{text-align:left;white-space:normal}
table.facts td:first-child{color:var(--muted);width:230px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(250px,1fr));gap:12px}
.strips{display:grid;grid-template-columns:repeat(auto-fill,minmax(500px,1fr));gap:4px 18px}
.chart{width:100%;height:auto;background:var(--card);border:1px solid var(--line);border-radius:10px}
.chart .ct{font-size:14px;font-weight:600;fill:var(--ink)}
.chart .tick{font-size:11px;fill:var(--muted)}
.chart .axis{font-size:12px;fill:var(--muted)}
.chart .legend{font-size:12px;fill:var(--ink)}
.chart .grid{stroke:#eef0f3;stroke-width:1}
.chart .frame{fill:none;stroke:#c9ced6}
.chart .diag{stroke:#b8bec8;stroke-dasharray:4 4}
.chart .vline{stroke:#6b7280;stroke-dasharray:3 3}
.strip{margin:6px 0 10px}
.strip img{display:block;max-width:100%;height:auto;border-radius:6px;image-rendering:auto}
.strip .cap{font-size:13px;margin:0 0 5px}
.tag{display:inline-block;padding:1px 7px;border-radius:999px;font-size:11px;font-weight:600;margin-left:6px;vertical-align:1px}
.tag.fp{background:#fde8e8;color:var(--bad)}.tag.fn{background:#fde8e8;color:var(--bad)}.tag.ok{background:#e7f6ec;color:var(--good)}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:10px}
.gallery figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:6px}
.gallery img{display:block;width:100%;height:auto;border-radius:4px}
.gallery figcaption{font-size:12px;color:var(--muted);margin-top:4px;display:flex;justify-content:space-between}
.legendbar{display:flex;align-items:center;gap:10px;font-size:12px;color:var(--muted);margin:10px 0 4px}
.legendbar .bar{height:12px;width:220px;border-radius:3px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;margin:0 4px 0 10px}
.cols{font-size:12px;color:var(--muted);margin:0 0 8px}
footer{color:var(--muted);font-size:12px;margin-top:36px;border-top:1px solid var(--line);padding-top:12px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;background:#eef0f3;padding:1px 4px;border-radius:4px}
`;

function metricsTable(cats: HtmlCategory[]): string {
  const rows = cats.map((c) => {
    const e = c.evaluation;
    return `<tr><td>${escapeXml(c.category)}</td><td>${pct(e.metrics.pixelAuroc)}</td><td>${pct(e.metrics.aupro)}</td><td>${pct(e.metrics.imageAuroc)}</td><td>${pct(e.metrics.pixelF1?.f1)}</td><td>${e.counts.normal} / ${e.counts.anomalous}</td><td>${e.timings.localizeFps.toFixed(1)}</td></tr>`;
  });
  const m = (f: (c: HtmlCategory) => number | null) => pct(mean(cats.map(f)));
  const meanRow =
    cats.length > 1
      ? `<tr class="mean"><td>Mean</td><td>${m((c) => c.evaluation.metrics.pixelAuroc)}</td><td>${m((c) => c.evaluation.metrics.aupro)}</td><td>${m((c) => c.evaluation.metrics.imageAuroc)}</td><td>${m((c) => c.evaluation.metrics.pixelF1?.f1 ?? null)}</td><td>${cats.reduce((a, c) => a + c.evaluation.counts.normal, 0)} / ${cats.reduce((a, c) => a + c.evaluation.counts.anomalous, 0)}</td><td>${(mean(cats.map((c) => c.evaluation.timings.localizeFps)) ?? 0).toFixed(1)}</td></tr>`
      : '';
  const fpr = cats[0]?.evaluation.metrics.fprLimit ?? 0.3;
  return `<table class="metrics" id="metrics"><thead><tr><th>Category</th><th>Pixel AUROC %</th><th>AUPRO@${fpr} %</th><th>Image AUROC %</th><th>Pixel F1-max % (oracle)</th><th>Test good / defect</th><th>Localize img/s</th></tr></thead><tbody>${rows.join('')}${meanRow}</tbody></table>`;
}

function kpis(cats: HtmlCategory[]): string {
  const m = (f: (c: HtmlCategory) => number | null) => mean(cats.map(f));
  const fit = cats.map((c) => c.model?.fit?.seconds).filter((s): s is number => s !== undefined);
  const items: [string, string, string][] = [
    ['Pixel AUROC', pct(m((c) => c.evaluation.metrics.pixelAuroc)), 'every pixel of every test image'],
    ['AUPRO', pct(m((c) => c.evaluation.metrics.aupro)), `per-region overlap, FPR ≤ ${cats[0]?.evaluation.metrics.fprLimit ?? 0.3}`],
    ['Image AUROC', pct(m((c) => c.evaluation.metrics.imageAuroc)), 'image score = max of the map'],
    ['Localize', `${(m((c) => c.evaluation.timings.localizeFps) ?? 0).toFixed(1)}`, 'images per second'],
  ];
  if (fit.length) items.push(['Fit time', `${fit.reduce((a, b) => a + b, 0).toFixed(0)} s`, `${cats[0]?.model?.fit?.epochs ?? '?'} epochs`]);
  return `<div class="kpis">${items.map(([l, v, s]) => `<div class="kpi"><div class="l">${escapeXml(l)}</div><div class="v">${escapeXml(v)}</div><div class="s">${escapeXml(s)}</div></div>`).join('')}</div>`;
}

function modelFacts(c: HtmlCategory): [string, string][] {
  const out: [string, string][] = [];
  const mi = c.model;
  if (mi) {
    for (const [k, v] of describeConfig(mi.config).facts) out.push([k, k === 'Weights' ? (mi.weights ?? v) : v]);
    if (mi.trainableParameters !== undefined) out.push(['Trainable parameters', mi.trainableParameters.toLocaleString('en-US')]);
    if (mi.backend) out.push(['Backend', mi.backend]);
    if (mi.fit) out.push(['Training', `${mi.fit.epochs} epochs${mi.fit.images ? ` on ${mi.fit.images} normal images` : ''} in ${mi.fit.seconds.toFixed(1)} s, final loss ${num(mi.fit.finalLoss, 3)}`]);
  }
  const e = c.evaluation;
  out.push(['Test set', `${e.counts.images} images (${e.counts.normal} good, ${e.counts.anomalous} defective, ${e.counts.annotated} with ground truth), ${e.counts.pixels.toLocaleString('en-US')} pixels`]);
  out.push(['Mask threshold', `${num(c.maskThreshold)} (${c.maskThresholdSource})`]);
  if (e.calibratedThreshold !== undefined) out.push(["Model's thresholds", `score ${num(e.calibratedThreshold)} (decisions), map ${num(e.pixelThreshold ?? e.calibratedThreshold)} (masks)`]);
  out.push(['Timings', `localize ${e.timings.localizeSeconds.toFixed(2)} s (${e.timings.localizeFps.toFixed(1)} img/s), decode ${e.timings.decodeSeconds.toFixed(2)} s, metrics ${e.timings.metricsSeconds.toFixed(2)} s`]);
  out.push(['Heatmap range', `${num(c.range.lo)} … ${num(c.range.hi)} (${c.rangeNote}, shared by every image)`]);
  return out;
}

function factsTable(facts: [string, string][]): string {
  return `<table class="facts">${facts.map(([k, v]) => `<tr><td>${escapeXml(k)}</td><td>${escapeXml(v)}</td></tr>`).join('')}</table>`;
}

function operatingTable(op: NonNullable<EvaluationResult['operatingPoint']>): string {
  const k = op.confusion;
  const rate = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
  return `<table class="facts"><tr><td>Threshold</td><td>${num(op.threshold)} (stored in the model)</td></tr>
<tr><td>False-reject rate</td><td>${rate(op.falseRejectRate)} of good images flagged (${k.falsePositive} of ${k.falsePositive + k.trueNegative})</td></tr>
<tr><td>Miss rate</td><td>${rate(op.missRate)} of defective images passed (${k.falseNegative} of ${k.falseNegative + k.truePositive})</td></tr>
<tr><td>Precision / recall</td><td>${rate(op.precision)} / ${rate(op.recall)}</td></tr>
<tr><td>Confusion</td><td>flagged: ${k.truePositive} defective + ${k.falsePositive} good · passed: ${k.falseNegative} defective + ${k.trueNegative} good</td></tr></table>`;
}

function strip(img: HtmlImage, tag: string): string {
  const link = img.file ? ` · <code>${escapeXml(img.file)}</code>` : '';
  const normalised = img.normalizedScore !== undefined ? ` (${img.normalizedScore.toFixed(2)} normalised)` : '';
  return `<div class="strip"><p class="cap"><b>${escapeXml(img.name)}</b> — score ${num(img.score)}${normalised}${tag}${link}</p><img src="${img.dataUri}" width="${img.width}" height="${img.height}" alt="${escapeXml(img.name)}"></div>`;
}

function categorySection(c: HtmlCategory, multi: boolean, input: HtmlReportInput): string {
  const e = c.evaluation;
  const charts: string[] = [];
  if (e.curves.pixelRoc) charts.push(curveChart([{ ...e.curves.pixelRoc, color: '#2563eb', label: `AUROC ${pct(e.metrics.pixelAuroc)}` }], { title: 'Pixel ROC', xLabel: 'false-positive rate', yLabel: 'true-positive rate', diagonal: true }));
  if (e.curves.pro) charts.push(curveChart([{ ...e.curves.pro, color: '#7c3aed', label: `AUPRO ${pct(e.metrics.aupro)}`, fillTo: e.metrics.fprLimit }], { title: 'Per-region overlap (PRO)', xLabel: 'false-positive rate', yLabel: 'PRO', vline: { x: e.metrics.fprLimit, label: `FPR ${e.metrics.fprLimit}` } }));
  if (e.curves.imageRoc) charts.push(curveChart([{ ...e.curves.imageRoc, color: '#059669', label: `AUROC ${pct(e.metrics.imageAuroc)}` }], { title: 'Image ROC', xLabel: 'false-positive rate', yLabel: 'true-positive rate', diagonal: true }));
  const normal = e.images.filter((i) => i.label === 0).map((i) => i.score);
  const anomalous = e.images.filter((i) => i.label === 1).map((i) => i.score);
  const oracle = /oracle/.test(c.maskThresholdSource);
  charts.push(scoreHistogram(normal, anomalous, { title: 'Image scores', threshold: c.imageThreshold, thresholdLabel: oracle ? 'F1 threshold (oracle)' : 'model threshold' }));
  const t = c.imageThreshold;
  const fpTag = (i: HtmlImage) => (t === undefined ? '' : i.score >= t ? '<span class="tag fp">false positive</span>' : '<span class="tag ok">passed as good</span>');
  const fnTag = (i: HtmlImage) => (t === undefined ? '' : i.score < t ? '<span class="tag fn">missed</span>' : '<span class="tag ok">detected</span>');
  const at = t === undefined ? '' : ` at threshold ${num(t)} (${escapeXml(c.maskThresholdSource)})`;
  const cols = `<p class="cols">Columns: ${input.panelLabels.map(escapeXml).join(' · ')}. Outlines: <span class="swatch" style="background:#ff2828"></span>prediction <span class="swatch" style="background:#28dc5a"></span>ground truth.</p>`;
  const parts: string[] = [];
  parts.push(`<section id="cat-${escapeXml(c.category)}">`);
  parts.push(`<h2>${multi ? `Category: ${escapeXml(c.category)}` : 'Curves'}</h2>`);
  parts.push(`<div class="charts">${charts.join('')}</div>`);
  parts.push(`<div class="legendbar">heatmap colours: <span>low</span><span class="bar" style="background:${input.colormapGradient}"></span><span>high</span> (${escapeXml(c.rangeNote)})</div>`);
  if (e.operatingPoint) parts.push(`<h3>Decisions at the model's own threshold</h3><div class="card">${operatingTable(e.operatingPoint)}</div>`);
  if (c.worstNormal.length) {
    const title = c.falsePositives ? `False positives — ${c.falsePositives} normal image${c.falsePositives > 1 ? 's' : ''} flagged${at}` : `No false positives${at}; the highest-scoring normal images`;
    parts.push(`<h3>${title}</h3>${cols}<div class="strips">${c.worstNormal.map((i) => strip(i, fpTag(i))).join('')}</div>`);
  }
  if (c.worstAnomalous.length) {
    const title = c.misses ? `Misses — ${c.misses} defective image${c.misses > 1 ? 's' : ''} passed as good${at}` : `No misses${at}; the lowest-scoring defective images`;
    parts.push(`<h3>${title}</h3>${cols}<div class="strips">${c.worstAnomalous.map((i) => strip(i, fnTag(i))).join('')}</div>`);
  }
  if (c.gallery.length) {
    const more = c.galleryTotal > c.gallery.length ? ` (${c.gallery.length} of ${c.galleryTotal}; every image has a full-size PNG in <code>panels/</code>)` : '';
    parts.push(`<h3>All test images${more}</h3>${cols}<div class="gallery">${c.gallery
      .map((i) => `<figure><img src="${i.dataUri}" width="${i.width}" height="${i.height}" alt="${escapeXml(i.name)}" loading="lazy"><figcaption><span>${escapeXml(i.name)}</span><span>${num(i.score, 3)}</span></figcaption></figure>`)
      .join('')}</div>`);
  }
  parts.push(`<h3>Model and run details</h3><div class="card">${factsTable(modelFacts(c))}</div>`);
  parts.push('</section>');
  return parts.join('');
}

/** The report as one HTML string. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const multi = input.categories.length > 1;
  const warnings = input.warnings.map((w) => `<div class="warn"><b>Note:</b> ${escapeXml(w)}</div>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeXml(input.title)}</title><style>${CSS}</style></head>
<body><main>
<header><h1>${escapeXml(input.title)}</h1><p>Generated ${escapeXml(input.generatedAt)} by danflow ${escapeXml(input.version)} · ${input.categories.map((c) => escapeXml(c.category)).join(', ')}</p></header>
${warnings}
${kpis(input.categories)}
<h2>Metrics</h2>
<div class="card">${metricsTable(input.categories)}${input.facts.length ? factsTable(input.facts) : ''}</div>
${input.categories.map((c) => categorySection(c, multi, input)).join('\n')}
<footer>Pixel AUROC is computed over every pixel of every annotated test image at the stored image resolution (masks binarised); AUPRO integrates the mean per-region overlap up to a false-positive rate of ${input.categories[0]?.evaluation.metrics.fprLimit ?? 0.3} and is normalised by that limit; image AUROC uses the image score (maximum of the smoothed map). Pixel F1-max and its threshold are an oracle: they are tuned on this test set's labels, which a production line never has; the decisions and panels use the model's own threshold unless the heading says otherwise. Heatmaps share one colour scale per category, taken from all its test pixels.<br>Scores: a DANFlow map value is −exp(−½·mean z²), so flow scores lie in [−1, 0] (nearer 0 = less likely under the normal images); PatchCore scores are distances to the nearest normal patch feature (≥ 0). The normalised score, (score − threshold) / (max − min of the normal training scores) + 0.5 clipped to 0…1, puts every model's threshold at 0.5.</footer>
</main></body></html>
`;
}
