import type { ConcurrencyPolicy } from '../config/types.js';

/**
 * The ledger protocol version this code writes and understands. A client that reads a
 * ledger written with a higher version stops without writing: old code still running
 * after a fix must never act on state it does not understand.
 */
export const PROTOCOL_VERSION = 1;

/** Who holds a lease: a CLI process, or a GitHub Actions job. */
export type Holder = ProcessHolder | ActionsHolder;

/**
 * Who holds a lease taken from the command line: enough to tell later, from another
 * process on the same machine, whether the holder is still running. A pid alone is not:
 * pids are reused, so the process's start time as the OS reports it is recorded too.
 */
export interface ProcessHolder {
  kind: 'process';
  /** The host name, plus the pid namespace when it is not the machine's own (containers). */
  host: string;
  /** Distinguishes two boots of one host, after which pids start again from 1. */
  bootId?: string;
  pid: number;
  /** Opaque: clock ticks since boot on Linux, the `ps` start time elsewhere. */
  startTime: string;
}

export interface ActionsHolder {
  kind: 'actions';
  /** owner/name of the repository whose workflow run holds the lease. */
  repository: string;
  runId: number;
  runAttempt: number;
  job: string;
}

export interface Lease {
  /** Random, unique per grant: the proof of holding, checked on every renew and release. */
  nonce: string;
  /** Grows with every grant for the patrol; handed to the patrol to fence its own writes. */
  fencingToken: number;
  holder: Holder;
  /** The version of Cronwarden that took the lease. */
  version: string;
  /** The slots this lease runs, ascending (several with catch-up `all`). */
  slots: string[];
  policy: ConcurrencyPolicy;
  /** The tick that granted it. */
  tick: string;
  grantedAt: string;
  /** On the store's clock. The lease is dead after this plus the grace period. */
  expiresAt: string;
  /** Whether the holder renews it (patrols with no fixed timeout). */
  renewable: boolean;
}

/** How one run of a patrol ended. */
export type RunOutcome = 'ran' | 'failed' | 'timed-out' | 'lost-lease' | 'cancelled' | 'error';

export interface RunRecord {
  slot: string;
  fencingToken: number;
  nonce: string;
  tick: string;
  startedAt: string;
  finishedAt: string;
  outcome: RunOutcome;
  exitCode: number | null;
  durationMs: number;
  /** A link to the run that did it (the Actions run), when there is one. */
  url?: string;
}

/** Why a lease ended without its holder releasing it. */
export type RevokeReason = 'replaced' | 'holder-gone' | 'expired' | 'unlocked';

export interface Revocation {
  nonce: string;
  fencingToken: number;
  holder: Holder;
  reason: RevokeReason;
  at: string;
  /** The tick (or admin) that revoked it. */
  by: string;
  /** The tick that had been granted the lease (its patrols carry it as CRONWARDEN_TICK). */
  tick?: string;
}

export interface PatrolState {
  /** Every slot at or before the cursor has been considered; never moves backwards. */
  cursor: string;
  /** The highest fencing token ever granted for this patrol. */
  fencingToken: number;
  lease: Lease | null;
  /** The last claim of a slot, to tell a doubled tick from an idle one. */
  lastClaim: { slot: string; tick: string; at: string } | null;
  lastRun: RunRecord | null;
  /** Recent runs, oldest first, for the timeline; bounded (see RECENT_RUNS_LIMIT). */
  recentRuns: RunRecord[];
  /** The latest leases that ended without a release, oldest first; bounded. */
  revocations: Revocation[];
  /** Slots skipped in a row because the lease was held (forbid). */
  skippedInARow: number;
  /**
   * Set when a full tick found the patrol gone from the table. If it comes back it starts
   * afresh at that tick, like a new patrol; its fencing token keeps growing.
   */
  retiredAt?: string;
}

export interface LedgerState {
  patrols: Record<string, PatrolState>;
  /**
   * The tick allowed to write the bot's reports now. Taken in a tick's claim, released after
   * its report: two ticks never create the same issue at once.
   */
  reporter?: ReporterLease | null;
}

export interface ReporterLease {
  tick: string;
  holder: Holder;
  expiresAt: string;
}

/** One change the commit made; the ref's history of events is the audit log. */
export type LedgerEvent =
  | { type: 'created'; at: string }
  | { type: 'first-seen'; patrol: string; cursor: string }
  | { type: 'retired'; patrol: string }
  | { type: 'claimed'; patrol: string; slots: string[]; forced: boolean }
  | { type: 'missed'; patrol: string; count: number; newest: string; reason: string }
  | {
      type: 'granted';
      patrol: string;
      nonce: string;
      fencingToken: number;
      holder: Holder;
      slots: string[];
      /** False for `allow` patrols: a fencing token and a run, but no lease. */
      leased: boolean;
      expiresAt: string;
      takeover?: Revocation;
    }
  | { type: 'skipped'; patrol: string; slot: string; heldBy: string; fencingToken: number }
  | { type: 'renewed'; patrol: string; nonce: string; expiresAt: string }
  | { type: 'released'; patrol: string; run: RunRecord }
  | { type: 'overlap'; patrol: string; run: RunRecord; revokedBy: Revocation | null }
  | { type: 'unlocked'; patrol: string; revocation: Revocation; reason: string };

/** What the tip commit of a ledger ref carries. */
export interface LedgerDocument {
  protocol: number;
  table: string;
  /** The tick or admin action that wrote this commit. */
  writer: { tick: string; holder: Holder; version: string; at: string };
  state: LedgerState;
  events: LedgerEvent[];
}
