import type { Patrol } from '../config/types.js';
import type { Liveness } from '../ledger/lease.js';
import type { TickIdentity } from '../ledger/plan.js';
import type { Holder, Lease, Revocation } from '../ledger/types.js';
import type { LedgerStore } from '../store/types.js';
import type { RetryPolicy } from './ledger-io.js';

/** What a tick reports for one patrol (and, when it ran, one slot). */
export type PatrolOutcome =
  /** Ran and exited 0. */
  | 'ran'
  /** Ran and exited non-zero. */
  | 'failed'
  /** Killed at its timeout. */
  | 'timed-out'
  /** Its lease was taken over (or unlocked) while it ran; it was stopped. */
  | 'lost-lease'
  /** Stopped because the tick itself was asked to stop (SIGTERM, SIGINT, a cancelled job). */
  | 'cancelled'
  /** Could not be started (a missing working directory, say). */
  | 'error'
  /** Due, but a live lease is held by an earlier run (forbid). */
  | 'skipped'
  /** Slots that passed without a run, under the catch-up rules. */
  | 'missed'
  /** Another tick claimed the slot (a doubled or racing tick). */
  | 'duplicate'
  /** Nothing due. */
  | 'idle'
  /** Disabled in the table. */
  | 'disabled'
  /** A dry run would run it. */
  | 'planned';

export interface PatrolReport {
  id: string;
  slot: string | null;
  outcome: PatrolOutcome;
  reason: string;
  exitCode: number | null;
  durationMs: number | null;
  fencingToken: number | null;
  missedCount?: number;
  /** The tail of the output (when it ran). */
  output?: string;
  outputTruncated?: boolean;
  /** Set when a dead or replaced lease was taken over for this run. */
  takeover?: { fencingToken: number; reason: string };
}

export interface TickReport {
  tick: {
    id: string;
    now: string;
    table: string;
    config: string;
    store: string;
    ref: string;
    dryRun: boolean;
    version: string;
    /** Ledger writes this tick made (claim, renewals, releases). */
    writes: number;
    /**
     * Whether this tick holds the reporter lease: it alone may write the bot's reports now,
     * and must give the lease back after (releaseReporter).
     */
    reporting: boolean;
  };
  patrols: PatrolReport[];
}

export interface RunContext {
  slot: string;
  fencingToken: number;
  tick: string;
  forced: boolean;
}

export interface RunResult {
  exitCode: number | null;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  output: string;
  outputTruncated: boolean;
  /** Set when the patrol could not be started. */
  error?: string;
}

/** Runs one slot of a patrol; stops it when `signal` aborts (the lease was lost). */
export interface PatrolRunner {
  run(patrol: Patrol, context: RunContext, signal: AbortSignal): Promise<RunResult>;
}

export interface TickLogger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface TickDeps {
  store: LedgerStore;
  runner: PatrolRunner;
  /**
   * Whether a lease's holder, or a patrol it started, still runs (a process, an Actions
   * run). 'gone' only when sure.
   */
  probe: (holder: Holder, lease: Lease, patrol: string) => Promise<Liveness>;
  /**
   * Called before a grant that took a lease over from a live holder runs (replace), to stop
   * what the old holder started where the caller can (the CLI, on the same host).
   */
  stopReplaced?: (revocation: Revocation, patrol: Patrol) => Promise<void>;
  identity: TickIdentity;
  log: TickLogger;
  retry?: RetryPolicy;
  newNonce?: () => string;
  /**
   * Called after each successful run, while the lease is still held (the pull-request flow
   * uses it). Its answer is added to the report's reason; a throw is reported, not raised.
   */
  afterRun?: (patrol: Patrol, context: RunContext) => Promise<string | null>;
  /** How often a running patrol's lease is checked (and renewed when renewable). */
  watchIntervalMs?: number;
  maxParallel?: number;
}

export interface TickOptions {
  /** The tick's time; default: the store's clock. */
  now?: Date;
  dryRun: boolean;
  patrol?: string;
  force: boolean;
  configPath: string;
  /** Aborted when the tick must stop: running patrols are stopped and released. */
  signal?: AbortSignal;
  /** The caller will report on issues after the tick: take the reporter lease. */
  report?: boolean;
}
