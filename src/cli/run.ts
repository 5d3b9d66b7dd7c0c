import { ConfigError } from '../config/index.js';
import { NotALedgerError, ProtocolTooNewError } from '../ledger/document.js';
import { ScheduleError } from '../schedule/index.js';
import { StoreSpecError } from '../store/open.js';
import { StoreError } from '../store/types.js';
import { LedgerConflictError } from '../tick/ledger-io.js';
import { TickInputError } from '../tick/tick.js';
import { VERSION } from '../version.js';
import { InputError, UsageError } from './args.js';
import type { Command, CommandEnv } from './command.js';
import { EXIT } from './command.js';
import { historyCommand } from './commands/history.js';
import { ledgerCommand } from './commands/ledger.js';
import { nextCommand } from './commands/next.js';
import { planCommand } from './commands/plan.js';
import { tickCommand } from './commands/tick.js';
import { unlockCommand } from './commands/unlock.js';
import { validateCommand } from './commands/validate.js';
import type { Output } from './output.js';
import { reportConfigError } from './table-input.js';

export const commands: Command[] = [
  validateCommand,
  nextCommand,
  planCommand,
  tickCommand,
  ledgerCommand,
  historyCommand,
  unlockCommand,
];

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: cronwarden <command> [options]

Scheduled patrols that never run twice at once.

Commands:
${list}

Run "cronwarden <command> --help" for a command's options.
Options: -h, --help   this help;  --version   the version`;
}

/** The CLI's one top-level catch: every failure becomes a message and an exit status. */
export async function runCli(argv: string[], io: Output, env: CommandEnv): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.out(overview());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.out(VERSION);
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`cronwarden: unknown command "${name}"\n\n${overview()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.help);
    return EXIT.ok;
  }

  try {
    return await command.run(rest, io, env);
  } catch (error: unknown) {
    return reportFailure(error, command, io);
  }
}

function reportFailure(error: unknown, command: Command, io: Output): number {
  if (error instanceof UsageError || error instanceof StoreSpecError) {
    io.err(
      `cronwarden ${command.name}: ${error.message}\nRun "cronwarden ${command.name} --help".`,
    );
    return EXIT.usage;
  }
  if (error instanceof ConfigError) {
    reportConfigError(error, io);
    return EXIT.invalid;
  }
  if (
    error instanceof InputError ||
    error instanceof TickInputError ||
    error instanceof ScheduleError
  ) {
    io.err(`cronwarden ${command.name}: ${error.message}`);
    return EXIT.invalid;
  }
  if (
    error instanceof ProtocolTooNewError ||
    error instanceof NotALedgerError ||
    error instanceof StoreError ||
    error instanceof LedgerConflictError
  ) {
    io.err(`cronwarden ${command.name}: ${error.message}`);
    return EXIT.ledger;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.err(`cronwarden ${command.name}: unexpected failure: ${detail}`);
  return EXIT.invalid;
}
