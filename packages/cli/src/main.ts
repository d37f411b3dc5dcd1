import { Command, CommanderError } from 'commander';
import { auditCommand } from './audit/index.js';
import { cliErrorFrom } from './connection/index.js';
import {
  CliError,
  type CliIO,
  type CommandContext,
  defaultWaitTiming,
  exitCodes,
  processIO,
  type WaitTiming,
} from './io.js';
import { keysCommand } from './keys/index.js';
import { listCommand } from './list/index.js';
import { maskCommand, scanCommand } from './mask/index.js';
import { outboxCommand } from './outbox/index.js';
import { policyCommand } from './policy/index.js';
import { requestCommand } from './request/index.js';
import { approveCommand, rejectCommand } from './review/index.js';
import { reviewersCommand } from './reviewers/index.js';
import { runCommand } from './run/index.js';
import { serveCommand } from './serve/index.js';
import { showCommand } from './show/index.js';

/** Builds the `countersign` program. Each feature adds its command group; `--help` works at every level. */
export function createProgram(context: CommandContext): Command {
  const { io } = context;
  const program = new Command('countersign')
    .description('Human countersignatures for the risky things AI agents and data pipelines do.')
    .version(version(), '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .addHelpText(
      'after',
      `
Commands that talk to a server read COUNTERSIGN_URL (default http://127.0.0.1:8080) and COUNTERSIGN_TOKEN
(an agent key, a reviewer token or the admin token), or --url and --token. See docs/cli.md.`,
    );
  program.addCommand(serveCommand(context));
  program.addCommand(policyCommand(context));
  program.addCommand(keysCommand(context));
  program.addCommand(reviewersCommand(context));
  program.addCommand(outboxCommand(context));
  program.addCommand(requestCommand(context));
  program.addCommand(listCommand(context));
  program.addCommand(showCommand(context));
  program.addCommand(approveCommand(context));
  program.addCommand(rejectCommand(context));
  program.addCommand(runCommand(context));
  program.addCommand(auditCommand(context));
  program.addCommand(maskCommand(context));
  program.addCommand(scanCommand(context));
  inheritSettings(program);
  return program;
}

/** Commands built on their own and added later do not inherit these; every level must behave alike. */
function inheritSettings(parent: Command): void {
  for (const child of parent.commands) {
    child.exitOverride().configureOutput(parent.configureOutput()).showHelpAfterError('(add --help for usage)');
    inheritSettings(child);
  }
}

export interface MainOptions {
  /** The environment commands read; `process.env` by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Poll and progress intervals of long waits; tests shorten them. */
  timing?: Partial<WaitTiming>;
}

/** Runs the command line `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO, options: MainOptions = {}): Promise<number> {
  const context: CommandContext = {
    io,
    env: options.env ?? process.env,
    timing: { ...defaultWaitTiming, ...options.timing },
    exitCode: exitCodes.ok,
  };
  const program = createProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors were already printed.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    const cliError = error instanceof CliError ? error : cliErrorFrom(error);
    if (cliError) {
      io.stderr(`countersign: ${cliError.message}\n`);
      return cliError.exitCode;
    }
    throw error;
  }
}

function version(): string {
  return '0.1.0';
}
