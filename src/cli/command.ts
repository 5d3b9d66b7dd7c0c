import type { Output } from './output.js';

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The whole --help text. */
  help: string;
  run(argv: string[], io: Output, env: CommandEnv): Promise<number>;
}

/** What a command may know of the world beyond its arguments. */
export interface CommandEnv {
  cwd: string;
  /** The machine clock; commands that take --now or --from use it only as the default. */
  now: () => Date;
  env: NodeJS.ProcessEnv;
  /**
   * A command that can stop cleanly on SIGINT, SIGTERM or SIGHUP asks for this signal;
   * other commands are simply ended by those signals.
   */
  cancellation?: () => AbortSignal;
}

export const EXIT = {
  ok: 0,
  /** Invalid input: a table, a schedule, a value. */
  invalid: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** The tick ran, and at least one patrol failed, timed out or lost its lease. */
  patrolFailed: 3,
  /** The ledger could not be used: written by a newer version, not a ledger, unreachable. */
  ledger: 4,
} as const;
