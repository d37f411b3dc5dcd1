import { Command, CommanderError } from 'commander';
import { CliError, type CliIO, type CommandContext, exitCodes, processIO } from './io.js';
import { policyCommand } from './policy/index.js';

/** Builds the `countersign` program. Each feature adds its command group; `--help` works at every level. */
export function createProgram(context: CommandContext): Command {
  const { io } = context;
  const program = new Command('countersign')
    .description('Human countersignatures for the risky things AI agents and data pipelines do.')
    .version(version(), '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program.addCommand(policyCommand(context));
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

/** Runs the command line `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const context: CommandContext = { io, exitCode: exitCodes.ok };
  const program = createProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors were already printed.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (error instanceof CliError) {
      io.stderr(`countersign: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

function version(): string {
  return '0.1.0';
}
