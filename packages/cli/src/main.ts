import { Command, CommanderError } from 'commander';
import {
  CliError,
  type CliIO,
  type CommandContext,
  defaultWaitTiming,
  exitCodes,
  processIO,
  type WaitTiming,
} from './io.js';

type CommandFactory = (context: CommandContext) => Command;

/**
 * Every command, in the order help lists them, with the module that builds it. A run loads only the module of the
 * command it names: `countersign mask` need not load the server or the API client, which would add a good part of
 * its start-up (help, `--version` and unknown commands load them all).
 */
const commandModules: ReadonlyArray<{ names: readonly string[]; load: () => Promise<CommandFactory[]> }> = [
  { names: ['serve'], load: async () => [(await import('./serve/index.js')).serveCommand] },
  { names: ['policy'], load: async () => [(await import('./policy/index.js')).policyCommand] },
  { names: ['keys'], load: async () => [(await import('./keys/index.js')).keysCommand] },
  { names: ['reviewers'], load: async () => [(await import('./reviewers/index.js')).reviewersCommand] },
  { names: ['outbox'], load: async () => [(await import('./outbox/index.js')).outboxCommand] },
  { names: ['request'], load: async () => [(await import('./request/index.js')).requestCommand] },
  { names: ['list'], load: async () => [(await import('./list/index.js')).listCommand] },
  { names: ['show'], load: async () => [(await import('./show/index.js')).showCommand] },
  {
    names: ['approve', 'reject'],
    load: async () => {
      const review = await import('./review/index.js');
      return [review.approveCommand, review.rejectCommand];
    },
  },
  { names: ['run'], load: async () => [(await import('./run/index.js')).runCommand] },
  { names: ['audit'], load: async () => [(await import('./audit/index.js')).auditCommand] },
  {
    names: ['mask', 'scan'],
    load: async () => {
      const mask = await import('./mask/index.js');
      return [mask.maskCommand, mask.scanCommand];
    },
  },
];

/**
 * Builds the `countersign` program with the commands `argv` needs: the one it names, or all of them. Each feature
 * adds its command group; `--help` works at every level.
 */
export async function createProgram(context: CommandContext, argv: readonly string[] = []): Promise<Command> {
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
  const named = argv[0];
  const only = commandModules.find((entry) => named !== undefined && entry.names.includes(named));
  for (const entry of only ? [only] : commandModules) {
    for (const factory of await entry.load()) program.addCommand(factory(context));
  }
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
  const program = await createProgram(context, argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors were already printed.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    // The API client's errors (its module is loaded here if the command did not load it).
    const cliError = error instanceof CliError ? error : (await import('./connection/index.js')).cliErrorFrom(error);
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
