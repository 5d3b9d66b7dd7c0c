import type { PatrolTable } from '../config/types.js';
import type { GitHubClient } from '../github/client.js';
import type { LedgerDocument, LedgerEvent } from '../ledger/types.js';
import type { TickLogger, TickReport } from '../tick/types.js';

/** What the bot's reporting needs from one tick of the Action. */
export interface ReportedTick {
  report: TickReport;
  table: PatrolTable;
  /** The ledger after the tick's last write (or as read, when it wrote nothing). */
  ledger: LedgerDocument | null;
  /** Every event the tick wrote to the ledger, in order. */
  events: LedgerEvent[];
  /** The server's clock. */
  now: Date;
  octokit: GitHubClient;
  /** owner/name of the repository whose issues the bot keeps (the workflow's own). */
  repository: string;
  /** This job's run page; runs of this tick link to it. */
  runUrl: string;
  log: TickLogger;
  /** The bot-login input, when given. */
  botLogin?: string;
}

export interface ReportOutcome {
  /** What the bot wrote, one line each ("opened #12 ..."). */
  written: string[];
  /** What it could not do; each was also logged as a warning. */
  failures: string[];
}

/**
 * Updates the dashboard, failure and incident issues after a tick. The Action calls it
 * when the `report` input is true and the tick was not a dry run; a failure to report is
 * a warning, never a failed tick.
 */
export type TickReporter = (tick: ReportedTick) => Promise<ReportOutcome>;
