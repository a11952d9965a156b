/**
 * Everything the CLI prints goes through here: results to stdout, status and progress to stderr.
 * Progress bars redraw in place on a terminal; elsewhere (CI logs, pipes) only a line per finished
 * task is written; --quiet silences both, --json leaves stdout to the one JSON document.
 */
import type { CliIo } from './io.js';

export interface OutputFlags {
  quiet: boolean;
  json: boolean;
  debug: boolean;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  const r = Math.round(s - m * 60);
  return m < 60 ? `${m}m${String(r).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export class Bar {
  private done = 0;
  private suffix = '';
  private readonly start = performance.now();
  private lastDraw = 0;
  private finished = false;

  constructor(
    private readonly out: Output,
    readonly label: string,
    private total: number | undefined,
    private readonly unit: 'items' | 'bytes' = 'items',
  ) {}

  get elapsed(): number {
    return (performance.now() - this.start) / 1000;
  }

  update(done: number, suffix?: string, total?: number): void {
    if (this.finished) return;
    this.done = done;
    if (total !== undefined) this.total = total;
    if (suffix !== undefined) this.suffix = suffix;
    const now = performance.now();
    if (now - this.lastDraw >= 100 || (this.total !== undefined && done >= this.total)) {
      this.lastDraw = now;
      this.out.drawBar(this);
    }
  }

  /** Ends the bar; `message` replaces the bar line (default: label, count and time). */
  finish(message?: string): void {
    if (this.finished) return;
    this.finished = true;
    this.out.endBar(this, message ?? `${this.label}: ${this.count()} in ${formatSeconds(this.elapsed)}${this.suffix ? `  ${this.suffix}` : ''}`);
  }

  count(): string {
    const fmt = (n: number) => (this.unit === 'bytes' ? formatBytes(n) : String(n));
    return this.total !== undefined ? `${fmt(this.done)}/${fmt(this.total)}` : fmt(this.done);
  }

  render(width: number): string {
    const t = this.total;
    const frac = t ? Math.min(1, this.done / t) : 0;
    const barWidth = Math.max(10, Math.min(30, width - 60));
    const filled = Math.round(frac * barWidth);
    const bar = t ? '█'.repeat(filled) + '░'.repeat(barWidth - filled) : '';
    const el = this.elapsed;
    const eta = t && this.done > 0 && this.done < t ? ` eta ${formatSeconds((el * (t - this.done)) / this.done)}` : '';
    const pct = t ? ` ${String(Math.floor(frac * 100)).padStart(3)}%` : '';
    const line = `${this.label} ${bar}${pct} ${this.count()} ${formatSeconds(el)}${eta}${this.suffix ? `  ${this.suffix}` : ''}`;
    return line.length > width - 1 ? line.slice(0, width - 1) : line;
  }
}

export class Output {
  private active: Bar | undefined;

  constructor(
    private readonly io: CliIo,
    readonly flags: OutputFlags,
  ) {}

  get tty(): boolean {
    return this.io.stderr.isTTY === true && !this.flags.quiet;
  }

  private get width(): number {
    return this.io.stderr.columns || 100;
  }

  private clearLine(): void {
    if (this.active && this.tty) this.io.stderr.write('\r\x1b[2K');
  }

  /** A status line on stderr (hidden with --quiet). */
  info(message: string): void {
    if (this.flags.quiet) return;
    this.clearLine();
    this.io.stderr.write(message + '\n');
    if (this.active && this.tty) this.io.stderr.write(this.active.render(this.width));
  }

  /** A warning on stderr (shown even with --quiet). */
  warn(message: string): void {
    this.clearLine();
    this.io.stderr.write(`warning: ${message}\n`);
    if (this.active && this.tty) this.io.stderr.write(this.active.render(this.width));
  }

  debug(message: string): void {
    if (this.flags.debug) this.info(`debug: ${message}`);
  }

  /** Human-readable results on stdout (not in --json mode, where the JSON is the result). */
  result(text: string): void {
    if (this.flags.json) return;
    this.clearLine();
    this.io.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  json(value: unknown): void {
    this.io.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  }

  error(message: string): void {
    this.clearLine();
    this.active = undefined;
    this.io.stderr.write(message.endsWith('\n') ? message : message + '\n');
  }

  bar(label: string, total?: number, unit: 'items' | 'bytes' = 'items'): Bar {
    if (this.active) this.active.finish();
    const b = new Bar(this, label, total, unit);
    this.active = b;
    return b;
  }

  /** @internal */
  drawBar(bar: Bar): void {
    if (!this.tty || bar !== this.active) return;
    this.io.stderr.write('\r\x1b[2K' + bar.render(this.width));
  }

  /** @internal */
  endBar(bar: Bar, message: string): void {
    if (bar === this.active) {
      this.clearLine();
      this.active = undefined;
    }
    if (!this.flags.quiet) this.io.stderr.write(message + '\n');
  }
}
