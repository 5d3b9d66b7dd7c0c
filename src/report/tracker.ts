/** Where the bot's issues live: GitHub (github-tracker.ts) or a directory (file-tracker.ts). */

export interface TrackedIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  /** The login of whoever opened it. */
  author: string;
  url: string;
  labels: string[];
}

export interface NewIssue {
  title: string;
  body: string;
  labels: string[];
}

export interface IssuePatch {
  title?: string;
  body?: string;
  state?: 'open' | 'closed';
  labels?: string[];
}

export interface IssueTracker {
  /** Whose issues count as the bot's: a marker in an issue by anyone else is ignored. */
  readonly botLogin: string;
  /** Every issue, open and closed, over every page; pull requests are left out. */
  listIssues(): AsyncIterable<TrackedIssue>;
  createIssue(issue: NewIssue): Promise<TrackedIssue>;
  updateIssue(number: number, patch: IssuePatch): Promise<TrackedIssue>;
  comment(number: number, body: string): Promise<void>;
  /** Creates the labels that are missing; answers those that can be used (a 403 drops one). */
  ensureLabels(names: string[]): Promise<string[]>;
}

export interface ReportLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export const silentLog: ReportLog = {
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
};
