/** The CLI as a library: `run(argv, io)` returns the exit code (used by the bin and by tests). */
export { run, mainHelp, COMMANDS } from './run.js';
export { processIo, memoryIo } from './io.js';
export type { CliIo, CliStream } from './io.js';
export { EXIT_OK, EXIT_FAILURE, EXIT_USAGE, UsageError } from './exit.js';
