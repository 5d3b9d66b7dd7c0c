/** What a patrol does when its previous run still holds the lease at its next slot. */
export type ConcurrencyPolicy = 'allow' | 'forbid' | 'replace';

/** Which of the slots missed since the last tick a tick runs. */
export type CatchUpMode = 'latest' | 'all' | 'none';

/** One patrol of the table, with every default applied. */
export interface Patrol {
  /** Slug, unique in its table; names the patrol in the ledger, logs and issues. */
  id: string;
  /** Five-field cron expression, evaluated in `timezone`. */
  schedule: string;
  /** IANA zone name. */
  timezone: string;
  /** Shell command, run with `bash -c` (or `sh -c` where bash is missing). */
  run: string;
  concurrency: ConcurrencyPolicy;
  /** Hard limit on one run, in milliseconds; undefined means no fixed limit. */
  timeoutMs: number | undefined;
  catchUp: CatchUpMode;
  /** With catch-up `all`: at most this many slots run in one tick. */
  maxCatchUp: number;
  /** Slots older than this (relative to the tick) are dropped as missed. */
  startingDeadlineMs: number | undefined;
  enabled: boolean;
  env: Record<string, string>;
  /** Relative to the table's directory's repository root; undefined means the current one. */
  workingDirectory: string | undefined;
}

/** A loaded, validated patrol table. */
export interface PatrolTable {
  /** Names the ledger: refs/cronwarden/<id>. */
  id: string;
  /** The file it was read from, as given. */
  path: string;
  /** Table-wide default zone. */
  timezone: string;
  patrols: Patrol[];
}

/** A finding about an input, located in the file it came from. */
export interface SourceProblem {
  file: string;
  /** 1-based; 0 when the problem has no position (a missing file). */
  line: number;
  col: number;
  message: string;
}
