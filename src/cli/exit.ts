/** Exit codes: 0 success, 1 the work failed (bad data, missing files, training diverged…), 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in the command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose help to point at ('' for the top level). */
    readonly command = '',
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
