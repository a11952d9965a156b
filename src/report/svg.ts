/** Small, dependency-free inline SVG charts for the HTML report (curves and a score histogram). */

export interface Series {
  x: readonly number[];
  y: readonly number[];
  color: string;
  label: string;
  /** Fill the area under the curve (from x = 0 to `fillTo`). */
  fillTo?: number;
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Vertical marker, e.g. the AUPRO FPR limit. */
  vline?: { x: number; label: string };
  /** Draw the chance diagonal. */
  diagonal?: boolean;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const f = (v: number) => (Math.round(v * 10) / 10).toString();

/** Line chart on the unit square (ROC / PRO curves). */
export function curveChart(series: readonly Series[], o: ChartOptions): string {
  const W = o.width ?? 300;
  const H = o.height ?? 280;
  const m = { l: 46, r: 14, t: 30, b: 42 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const X = (x: number) => m.l + x * pw;
  const Y = (y: number) => m.t + (1 - y) * ph;
  const parts: string[] = [];
  parts.push(`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(o.title)}" class="chart">`);
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" class="ct">${escapeXml(o.title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    parts.push(`<line x1="${f(X(v))}" y1="${m.t}" x2="${f(X(v))}" y2="${m.t + ph}" class="grid"/>`);
    parts.push(`<line x1="${m.l}" y1="${f(Y(v))}" x2="${m.l + pw}" y2="${f(Y(v))}" class="grid"/>`);
    parts.push(`<text x="${f(X(v))}" y="${m.t + ph + 14}" text-anchor="middle" class="tick">${v.toFixed(1)}</text>`);
    parts.push(`<text x="${m.l - 6}" y="${f(Y(v) + 3)}" text-anchor="end" class="tick">${v.toFixed(1)}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" class="frame"/>`);
  if (o.diagonal) parts.push(`<line x1="${X(0)}" y1="${Y(0)}" x2="${X(1)}" y2="${Y(1)}" class="diag"/>`);
  for (const s of series) {
    if (s.x.length === 0) continue;
    if (s.fillTo !== undefined) {
      const pts: string[] = [];
      for (let i = 0; i < s.x.length; i++) if (s.x[i] <= s.fillTo) pts.push(`${f(X(s.x[i]))},${f(Y(s.y[i]))}`);
      // close at the limit, interpolating the curve there
      const yl = interpolate(s.x, s.y, s.fillTo);
      pts.push(`${f(X(s.fillTo))},${f(Y(yl))}`, `${f(X(s.fillTo))},${f(Y(0))}`, `${f(X(0))},${f(Y(0))}`);
      parts.push(`<polygon points="${pts.join(' ')}" fill="${s.color}" fill-opacity="0.18" stroke="none"/>`);
    }
    const d = s.x.map((x, i) => `${i === 0 ? 'M' : 'L'}${f(X(x))},${f(Y(s.y[i]))}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
  }
  if (o.vline) {
    parts.push(`<line x1="${f(X(o.vline.x))}" y1="${m.t}" x2="${f(X(o.vline.x))}" y2="${m.t + ph}" class="vline"/>`);
    parts.push(`<text x="${f(X(o.vline.x) + 4)}" y="${m.t + 12}" class="tick">${escapeXml(o.vline.label)}</text>`);
  }
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 8}" text-anchor="middle" class="axis">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text x="12" y="${m.t + ph / 2}" text-anchor="middle" class="axis" transform="rotate(-90 12 ${m.t + ph / 2})">${escapeXml(o.yLabel)}</text>`);
  // legend, bottom right inside the plot
  series.forEach((s, i) => {
    const ly = m.t + ph - 10 - (series.length - 1 - i) * 16;
    parts.push(`<line x1="${m.l + pw - 120}" y1="${ly - 4}" x2="${m.l + pw - 104}" y2="${ly - 4}" stroke="${s.color}" stroke-width="3"/>`);
    parts.push(`<text x="${m.l + pw - 100}" y="${ly}" class="legend">${escapeXml(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  for (let i = 1; i < xs.length; i++) {
    if (xs[i] >= x) {
      const dx = xs[i] - xs[i - 1];
      return dx > 0 ? ys[i - 1] + ((ys[i] - ys[i - 1]) * (x - xs[i - 1])) / dx : ys[i];
    }
  }
  return ys[ys.length - 1] ?? 0;
}

/** Overlaid histograms of normal and anomalous image scores, with an optional threshold marker. */
export function scoreHistogram(normal: readonly number[], anomalous: readonly number[], o: { title: string; threshold?: number; thresholdLabel?: string; width?: number; height?: number; bins?: number }): string {
  const W = o.width ?? 300;
  const H = o.height ?? 280;
  const m = { l: 46, r: 14, t: 46, b: 42 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const all = [...normal, ...anomalous];
  const bins = o.bins ?? 20;
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (o.threshold !== undefined && Number.isFinite(o.threshold)) {
    lo = Math.min(lo, o.threshold);
    hi = Math.max(hi, o.threshold);
  }
  if (!(hi > lo)) hi = lo + 1e-6;
  const count = (v: readonly number[]) => {
    const c = new Array<number>(bins).fill(0);
    for (const s of v) c[Math.min(bins - 1, Math.floor(((s - lo) / (hi - lo)) * bins))]++;
    return c;
  };
  const cn = count(normal);
  const ca = count(anomalous);
  const top = Math.max(1, ...cn, ...ca);
  const bw = pw / bins;
  const X = (v: number) => m.l + ((v - lo) / (hi - lo)) * pw;
  const parts: string[] = [];
  parts.push(`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(o.title)}" class="chart">`);
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" class="ct">${escapeXml(o.title)}</text>`);
  const stepY = Math.max(1, Math.ceil(top / 5));
  for (let v = 0; v <= top; v += stepY) {
    const y = m.t + ph - (v / top) * ph;
    parts.push(`<line x1="${m.l}" y1="${f(y)}" x2="${m.l + pw}" y2="${f(y)}" class="grid"/>`);
    parts.push(`<text x="${m.l - 6}" y="${f(y + 3)}" text-anchor="end" class="tick">${v}</text>`);
  }
  const bar = (c: number[], color: string) =>
    c.forEach((n, i) => {
      if (n === 0) return;
      const h = (n / top) * ph;
      parts.push(`<rect x="${f(m.l + i * bw + 1)}" y="${f(m.t + ph - h)}" width="${f(Math.max(1, bw - 2))}" height="${f(h)}" fill="${color}" fill-opacity="0.55"/>`);
    });
  bar(cn, '#3b82f6');
  bar(ca, '#ef4444');
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" class="frame"/>`);
  ([[lo, 'start'], [(lo + hi) / 2, 'middle'], [hi, 'end']] as const).forEach(([t, anchor]) =>
    parts.push(`<text x="${f(X(t))}" y="${m.t + ph + 14}" text-anchor="${anchor}" class="tick">${formatTick(t)}</text>`),
  );
  if (o.threshold !== undefined && Number.isFinite(o.threshold)) {
    parts.push(`<line x1="${f(X(o.threshold))}" y1="${m.t}" x2="${f(X(o.threshold))}" y2="${m.t + ph}" class="vline"/>`);
    const right = X(o.threshold) < m.l + pw - 70;
    parts.push(`<text x="${f(X(o.threshold) + (right ? 4 : -4))}" y="${m.t + 12}" text-anchor="${right ? 'start' : 'end'}" class="tick">${escapeXml(o.thresholdLabel ?? 'threshold')}</text>`);
  }
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 8}" text-anchor="middle" class="axis">image score</text>`);
  parts.push(`<text x="12" y="${m.t + ph / 2}" text-anchor="middle" class="axis" transform="rotate(-90 12 ${m.t + ph / 2})">images</text>`);
  // legend between the title and the plot
  const lx = m.l + pw / 2 - 95;
  parts.push(`<rect x="${f(lx)}" y="26" width="10" height="10" fill="#3b82f6" fill-opacity="0.55"/><text x="${f(lx + 14)}" y="35" class="legend">normal (${normal.length})</text>`);
  parts.push(`<rect x="${f(lx + 95)}" y="26" width="10" height="10" fill="#ef4444" fill-opacity="0.55"/><text x="${f(lx + 109)}" y="35" class="legend">defective (${anomalous.length})</text>`);
  parts.push('</svg>');
  return parts.join('');
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.01 || a >= 1e4)) return v.toExponential(1);
  return v.toFixed(a < 1 ? 3 : 2);
}
