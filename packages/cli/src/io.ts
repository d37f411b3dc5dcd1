/** Where a command writes. Injected so tests can run commands in-process and read what they printed. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (colour and progress lines only then). */
  readonly isTTY: boolean;
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
};

/** What every command gets: where to write, and where to leave its exit code. */
export interface CommandContext {
  readonly io: CliIO;
  exitCode: number;
}

/** Exit codes shared by every command. */
export const exitCodes = {
  ok: 0,
  /** The command ran and the answer is "no": an invalid policy, a failing test. */
  failed: 1,
  /** The command could not run: bad flags, an unreadable file, malformed input. */
  usage: 2,
} as const;

/** An error that ends a command with a message for the user and an exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = exitCodes.usage) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
