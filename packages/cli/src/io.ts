/** Where a command writes. Injected so tests can run commands in-process and read what they printed. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (colour and progress lines only then). */
  readonly isTTY: boolean;
  /** Whether stderr is a terminal: progress of long work (`mask`) is drawn there, even when stdout is piped. */
  readonly stderrIsTTY?: boolean;
}

export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
};

/** How often long waits poll and report progress. Tests shorten these. */
export interface WaitTiming {
  /**
   * Longest single long-poll of the server, in seconds (≤ 60), when waits long-poll: against a server without the
   * event stream, or while the stream is down. (Following the stream, each approval shows as it arrives.)
   */
  readonly pollSeconds: number;
  /** On a terminal: how often the progress line is redrawn (its elapsed time ticks). */
  readonly redrawMs: number;
  /** Not on a terminal: a progress line at least this often, even when nothing changed. */
  readonly heartbeatMs: number;
}

export const defaultWaitTiming: WaitTiming = { pollSeconds: 15, redrawMs: 1000, heartbeatMs: 30_000 };

/** What every command gets: where to write, what environment to read, and where to leave its exit code. */
export interface CommandContext {
  readonly io: CliIO;
  /** The environment: `COUNTERSIGN_URL`, `COUNTERSIGN_TOKEN`, and what `run` passes on to its command. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timing: WaitTiming;
  exitCode: number;
}

/**
 * Exit codes shared by every command. `countersign run` (and `request --wait`) use 3–7 to say how a gated step
 * ended; docs/cli.md lists them all.
 */
export const exitCodes = {
  ok: 0,
  /**
   * The command ran and the answer is "no" (an invalid policy, a failing test), or it could not finish: the
   * server was unreachable or refused the request (an API error).
   */
  failed: 1,
  /** The command could not run: bad flags, an unreadable file, malformed input, bad server configuration. */
  usage: 2,
  /** The policy denied the action. */
  denied: 3,
  /** A reviewer rejected the action. */
  rejected: 4,
  /** Nobody decided in time: the action expired, or the caller's own timeout elapsed. */
  expired: 5,
  /** The action was cancelled (Ctrl-C while waiting, or by the agent elsewhere). */
  cancelled: 6,
  /** The action was approved, the gated command ran, and it failed. */
  commandFailed: 7,
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

/** Prints `value` as indented JSON on stdout. */
export function printJson(context: CommandContext, value: unknown): void {
  context.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * `1234567` as `1,234,567`. By hand: the first `toLocaleString` of a process loads ICU's locale data, about 20 ms of
 * a short command's run.
 */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
