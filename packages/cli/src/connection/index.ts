import { CountersignApiError, CountersignClient, CountersignConnectionError } from '@countersign/sdk';
import type { Command } from 'commander';
import { CliError, type CommandContext, exitCodes } from '../io.js';

/** The options every command that talks to a server takes. */
export interface ClientOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

export const defaultServerUrl = 'http://127.0.0.1:8080';

/** Adds `--url`, `--token` and `--json` to a command. */
export function withClientOptions(command: Command): Command {
  return command
    .option('--url <url>', `server URL (default: $COUNTERSIGN_URL, else ${defaultServerUrl})`)
    .option(
      '--token <token>',
      'credential to send (default: $COUNTERSIGN_TOKEN; prefer the variable: flags show in ps)',
    )
    .option('--json', 'print machine-readable JSON on stdout');
}

/** What a command needs the token to be, for the "no token" message. */
export type Credential = 'admin token' | 'agent key' | 'reviewer token' | 'any';

/** A client for the server named by `--url`/`COUNTERSIGN_URL`, authenticated by `--token`/`COUNTERSIGN_TOKEN`. */
export function connect(context: CommandContext, options: ClientOptions, credential: Credential): CountersignClient {
  const url = options.url ?? nonEmpty(context.env.COUNTERSIGN_URL) ?? defaultServerUrl;
  const token = options.token ?? nonEmpty(context.env.COUNTERSIGN_TOKEN);
  if (token === undefined) {
    throw new CliError(`no credential: set COUNTERSIGN_TOKEN (or pass --token) to ${wanted(credential)}`);
  }
  try {
    return new CountersignClient({ url, token, userAgent: 'countersign-cli/0.1.0', via: 'cli' });
  } catch (error) {
    throw new CliError(`${options.url === undefined ? 'COUNTERSIGN_URL' : '--url'}: ${(error as Error).message}`);
  }
}

/**
 * The CLI form of an SDK error: `countersign: <detail> [<code>]` (square brackets, as details often end in a
 * parenthesis of their own), the field problems of a validation error below it, exit code 1. Undefined for
 * anything that is not an SDK error.
 */
export function cliErrorFrom(error: unknown): CliError | undefined {
  if (error instanceof CountersignApiError) {
    const issues = (error.issues ?? []).map((issue) => {
      const path = Array.isArray(issue.path) ? issue.path.join('.') : issue.path;
      return `\n  ${path ? `${path}: ` : ''}${issue.message}`;
    });
    return new CliError(`${error.detail} [${error.code}]${issues.join('')}`, exitCodes.failed);
  }
  if (error instanceof CountersignConnectionError) return new CliError(error.message, exitCodes.failed);
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function wanted(credential: Credential): string {
  switch (credential) {
    case 'admin token':
      return 'the admin token (`countersign serve` prints where it is)';
    case 'agent key':
      return 'an agent key (csk_…; an admin creates one with `countersign keys create`)';
    case 'reviewer token':
      return 'a reviewer token (csr_…; an admin creates one with `countersign reviewers token`)';
    case 'any':
      return 'an agent key (csk_…), a reviewer token (csr_…) or the admin token';
  }
}
