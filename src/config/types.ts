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
  /** Relative to the repository root (the workspace); undefined means the root itself. */
  workingDirectory: string | undefined;
  /** Consecutive failed runs before a failure issue is opened (default 1). */
  failureThreshold: number;
  /** At most one "still failing" comment per this many milliseconds (default 24h). */
  realertMs: number;
  /** When set, files the patrol changes are proposed in one pull request. */
  pullRequest: PullRequestSpec | undefined;
}

export interface PullRequestSpec {
  /** The branch the bot commits to; never the default branch. */
  branch: string;
  title: string;
  body: string;
  labels: string[];
  /** Defaults to the repository's default branch. */
  base: string | undefined;
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
