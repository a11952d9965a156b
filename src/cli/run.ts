/**
 * The `danflow` command dispatcher. `run(argv, io)` is the whole CLI as a function: it never calls
 * process.exit and never throws, it returns the exit code — 0 success, 1 the work failed, 2 the
 * command line was wrong — so tests and other programs can run it in-process.
 */
import { isDanflowError } from '../index.js';
import { VERSION } from '../core/version.js';
import { formatHelp, parseCommand, suggest, type Args, type CommandDef } from './args.js';
import { DEMO, runDemo } from './commands/demo.js';
import { EVAL, runEval } from './commands/eval.js';
import { EXPORT, runExport } from './commands/export.js';
import { FIT, runFit } from './commands/fit.js';
import { LOCALIZE, runLocalize } from './commands/localize.js';
import { runServe, SERVE } from './commands/serve.js';
import { runWorker, WORKER } from './commands/worker.js';
import { withLogLevel } from './common.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './exit.js';
import { processIo, type CliIo } from './io.js';
import { Output } from './output.js';

interface Command {
  def: CommandDef;
  run(args: Args, io: CliIo, out: Output): Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  demo: { def: DEMO, run: runDemo },
  fit: { def: FIT, run: runFit },
  eval: { def: EVAL, run: runEval },
  localize: { def: LOCALIZE, run: runLocalize },
  serve: { def: SERVE, run: runServe },
  worker: { def: WORKER, run: runWorker },
  export: { def: EXPORT, run: runExport },
};

/** Commands dispatched before argument parsing (cli/main.ts), listed in the help with the others. */
export const EXTERNAL_COMMANDS: Record<string, string> = {
  bench: 'measure localize/fit speed and memory per preset and backend, with PyTorch in the same run when installed; --serve: load on danflow serve',
};

export function mainHelp(): string {
  const summaries: Record<string, string> = { ...Object.fromEntries(Object.entries(COMMANDS).map(([n, c]) => [n, c.def.summary])), ...EXTERNAL_COMMANDS };
  const names = Object.keys(summaries);
  const w = Math.max(...names.map((n) => n.length)) + 2;
  return [
    `danflow ${VERSION} — DANFlow visual anomaly localisation`,
    '',
    'Usage: danflow <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(w)}${summaries[n]}`),
    '',
    'Run "danflow <command> --help" for the options of a command.',
    '',
    'Start here:   danflow demo          (offline, a few minutes on a laptop CPU)',
    '',
    'Exit codes: 0 success, 1 failure (missing files, bad data, training error), 2 usage error.',
    'Environment: DANFLOW_WEIGHTS (default backbone weights), DANFLOW_CACHE (download cache folder),',
    '             DANFLOW_OFFLINE=1 (never download).',
    '',
  ].join('\n');
}

/** Runs the CLI with `argv` (without the node and script paths) and returns the exit code. */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const args = [...argv];
  const debug = args.includes('--debug');
  if (debug) Error.stackTraceLimit = 100;
  const first = args[0];
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? args[1] : undefined;
    if (topic && COMMANDS[topic]) io.stdout.write(formatHelp(COMMANDS[topic].def));
    else io.stdout.write(mainHelp());
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS[first];
  let out = new Output(io, { quiet: false, json: false, debug });
  try {
    if (!command) {
      const known = [...Object.keys(COMMANDS), ...Object.keys(EXTERNAL_COMMANDS)];
      const near = first.startsWith('-') ? undefined : suggest(first, known);
      throw new UsageError(`unknown command "${first}"${near ? ` (did you mean "${near}"?)` : ''}; commands: ${known.join(', ')}`);
    }
    const parsed = parseCommand(command.def, args.slice(1));
    if (parsed.bool('help')) {
      io.stdout.write(formatHelp(command.def));
      return EXIT_OK;
    }
    out = new Output(io, { quiet: parsed.bool('quiet'), json: parsed.bool('json'), debug: parsed.bool('debug') });
    return await withLogLevel(out, () => command.run(parsed, io, out));
  } catch (e) {
    return report(e, out, command ? first : '', debug);
  }
}

function report(e: unknown, out: Output, command: string, debug: boolean): number {
  if (e instanceof UsageError) {
    const cmd = e.command || command;
    out.error(`danflow${cmd ? ` ${cmd}` : ''}: ${e.message}\nRun "danflow${cmd ? ` ${cmd}` : ''} --help" for usage.`);
    return EXIT_USAGE;
  }
  if (isDanflowError(e)) {
    out.error(`error [${e.code}]: ${e.message}`);
    if (e.code === 'OFFLINE' || e.code === 'DOWNLOAD') {
      out.error('Hint: without network access pass --weights random (no pretraining) or a local checkpoint: --weights path/to/model.safetensors (or set DANFLOW_WEIGHTS).');
    }
    if (debug && e.stack) out.error(e.stack);
    return EXIT_FAILURE;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  out.error(`error: ${err.message}`);
  out.error(debug && err.stack ? err.stack : 'Run again with --debug for the stack trace.');
  return EXIT_FAILURE;
}
