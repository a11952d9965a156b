/**
 * Argument parsing on node:util parseArgs (strict), with typed getters that turn every mistake into
 * a UsageError naming the flag, and help text generated from the same option table.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './exit.js';

export interface OptSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. '<dir>'. */
  value?: string;
  help: string;
  /** Default shown in help. */
  default?: string;
  /** Section heading in help; options without one go under "Options". */
  group?: string;
}

export type OptSpecs = Record<string, OptSpec>;

export interface CommandDef {
  name: string;
  summary: string;
  usage: string[];
  description?: string;
  options: OptSpecs;
  examples?: string[];
  /** Allow positional arguments (files, globs). */
  positionals?: boolean;
}

export const GLOBAL_OPTIONS: OptSpecs = {
  help: { type: 'boolean', short: 'h', help: 'show this help', group: 'General' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress bars or status lines (errors only)', group: 'General' },
  json: { type: 'boolean', help: 'print one JSON document to stdout (status goes to stderr)', group: 'General' },
  debug: { type: 'boolean', help: 'show stack traces and debug logs', group: 'General' },
};

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/** The closest known name, if it is close enough to be a likely typo. */
export function suggest(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = editDistance(name, k);
    if (dist < bestD) {
      bestD = dist;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export class Args {
  constructor(
    readonly command: string,
    readonly values: Values,
    readonly positionals: string[],
  ) {}

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  bool(name: string): boolean {
    return this.values[name] === true;
  }

  str(name: string): string | undefined {
    const v = this.values[name];
    if (Array.isArray(v)) return v[v.length - 1];
    return typeof v === 'string' ? v : undefined;
  }

  required(name: string, hint = ''): string {
    const v = this.str(name);
    if (v === undefined || v === '') throw new UsageError(`missing required option --${name}${hint ? ` (${hint})` : ''}`, this.command);
    return v;
  }

  /** Every value of a repeated option, as given (no comma splitting: for paths). */
  all(name: string): string[] {
    const v = this.values[name];
    return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  }

  /** Comma-separated and/or repeated values. */
  list(name: string): string[] {
    const v = this.values[name];
    const raw = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
    return raw.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  }

  int(name: string, fallback: number, opts: { min?: number; max?: number } = {}): number {
    const s = this.str(name);
    if (s === undefined) return fallback;
    const v = Number(s);
    if (!/^[+-]?\d+$/.test(s.trim()) || !Number.isSafeInteger(v)) throw new UsageError(`--${name} must be an integer, got "${s}"`, this.command);
    return this.range(name, v, opts);
  }

  float(name: string, fallback: number, opts: { min?: number; max?: number } = {}): number {
    const s = this.str(name);
    if (s === undefined) return fallback;
    const v = Number(s);
    if (s.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got "${s}"`, this.command);
    return this.range(name, v, opts);
  }

  optionalFloat(name: string, opts: { min?: number; max?: number } = {}): number | undefined {
    return this.has(name) ? this.float(name, 0, opts) : undefined;
  }

  optionalInt(name: string, opts: { min?: number; max?: number } = {}): number | undefined {
    return this.has(name) ? this.int(name, 0, opts) : undefined;
  }

  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const s = this.str(name);
    if (s === undefined) return fallback;
    if (!(choices as readonly string[]).includes(s)) {
      const near = suggest(s, [...choices]);
      throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got "${s}"${near ? ` (did you mean ${near}?)` : ''}`, this.command);
    }
    return s as T;
  }

  private range(name: string, v: number, { min, max }: { min?: number; max?: number }): number {
    if (min !== undefined && v < min) throw new UsageError(`--${name} must be ≥ ${min}, got ${v}`, this.command);
    if (max !== undefined && v > max) throw new UsageError(`--${name} must be ≤ ${max}, got ${v}`, this.command);
    return v;
  }
}

/** Parses argv (after the command name) against the command's options; throws UsageError on any mistake. */
export function parseCommand(def: CommandDef, argv: string[]): Args {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries(def.options)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  try {
    const { values, positionals } = parseArgs({ args: attachNegativeNumbers(argv, def), options, strict: true, allowPositionals: def.positionals ?? false });
    return new Args(def.name, values as Values, positionals);
  } catch (e) {
    throw toUsageError(e, def);
  }
}

/**
 * `--epochs -3`: node's parseArgs reads "-3" as another option and reports a missing value. A
 * negative number after a string option is that option's value, so the range check can name it.
 */
function attachNegativeNumbers(argv: string[], def: CommandDef): string[] {
  const takesValue = (token: string): boolean => {
    const long = /^--([^=]+)$/.exec(token)?.[1];
    if (long) return def.options[long]?.type === 'string';
    const short = /^-([A-Za-z])$/.exec(token)?.[1];
    return short !== undefined && Object.values(def.options).some((o) => o.short === short && o.type === 'string');
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (takesValue(argv[i]) && i + 1 < argv.length && /^-(\d|\.\d)/.test(argv[i + 1])) {
      // Long options take `--name=value`; a short one takes its value glued on (`-c-3`).
      out.push(argv[i].startsWith('--') ? `${argv[i]}=${argv[i + 1]}` : `${argv[i]}${argv[i + 1]}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

function toUsageError(e: unknown, def: CommandDef): UsageError {
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  const where = def.name ? ` for "danflow ${def.name}"` : '';
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(msg)?.[1] ?? msg;
    const bare = flag.replace(/^-+/, '');
    const near = suggest(bare, Object.keys(def.options));
    return new UsageError(`unknown option ${flag}${where}${near ? ` (did you mean --${near}?)` : ''}`, def.name);
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /'(-[^' ]+)/.exec(msg)?.[1] ?? '';
    const spec = def.options[flag.replace(/^-+/, '')];
    if (spec?.type === 'boolean') return new UsageError(`option ${flag} takes no value${where}`, def.name);
    return new UsageError(`option ${flag || '?'} needs a value${spec?.value ? ` ${spec.value}` : ''}${where}`, def.name);
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const arg = /'([^']+)'/.exec(msg)?.[1] ?? '';
    return new UsageError(`unexpected argument "${arg}"${where}; options start with --`, def.name);
  }
  return new UsageError(msg, def.name);
}

/** Help text for a command, from its option table. */
export function formatHelp(def: CommandDef, width = 100): string {
  const lines: string[] = [];
  lines.push(`Usage: ${def.usage[0]}`);
  for (const u of def.usage.slice(1)) lines.push(`       ${u}`);
  lines.push('', def.description ?? def.summary);
  const groups = new Map<string, [string, OptSpec][]>();
  for (const entry of Object.entries(def.options)) {
    const g = entry[1].group ?? 'Options';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(entry);
  }
  const left = (name: string, o: OptSpec) => `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : o.type === 'string' ? ' <value>' : ''}`;
  const col = Math.min(34, Math.max(...Object.entries(def.options).map(([n, o]) => left(n, o).length)) + 4);
  for (const [g, entries] of groups) {
    lines.push('', `${g}:`);
    for (const [name, o] of entries) {
      const l = `  ${left(name, o)}`;
      const text = o.help + (o.default !== undefined ? ` (default: ${o.default})` : '');
      const wrapped = wrap(text, Math.max(30, width - col - 2));
      lines.push(l.length + 1 < col + 2 ? l.padEnd(col + 2) + wrapped[0] : `${l}\n${' '.repeat(col + 2)}${wrapped[0]}`);
      for (const w of wrapped.slice(1)) lines.push(' '.repeat(col + 2) + w);
    }
  }
  if (def.examples?.length) {
    lines.push('', 'Examples:');
    for (const ex of def.examples) lines.push(`  ${ex}`);
  }
  return lines.join('\n') + '\n';
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  out.push(line);
  return out;
}
