import { cutBody } from './render/limits.js';
import { readMarker, type Marker } from './marker.js';
import type { IssueTracker, ReportLog, TrackedIssue } from './tracker.js';

/**
 * Issue synchronisation: find the bot's issue for a key, and bring it to the wanted state
 * with as few writes as possible (none when nothing changed).
 *
 * An issue is the bot's only when its body starts with a marker AND the bot opened it. The
 * issues are listed in full (every page, open and closed) rather than searched: GitHub's
 * search index lags behind writes, and a lagging lookup is how duplicates are born.
 */

/** One of the bot's issues, with its marker read. */
export interface OwnIssue {
  issue: TrackedIssue;
  marker: Marker;
}

/** What should exist for one key after this report. */
export interface DesiredIssue {
  key: string;
  title: string;
  body: string;
  /** Used only when the issue is created; labels people add later are left alone. */
  labels: string[];
  state: 'open' | 'closed';
  /** Posted after an open or reopen, before a close. */
  comments: string[];
  /** Whether a closed issue of this key may be reopened (else it is only edited). */
  mayReopen: boolean;
}

interface Session {
  /** The tail of the queue of reports on this tracker; each waits for the one before. */
  queue: Promise<void>;
  /** Issues as this process last wrote them, with when (the report's time). */
  written: Map<number, { issue: TrackedIssue; at: number }>;
}

/**
 * GitHub may answer a GET from a cache up to this old, so a listing right after a write can
 * miss it; within this window the issue as written wins over the listing.
 */
export const LISTING_LAG_MS = 60_000;

const sessions = new WeakMap<IssueTracker, Session>();

function sessionOf(tracker: IssueTracker): Session {
  let session = sessions.get(tracker);
  if (session === undefined) {
    session = { queue: Promise.resolve(), written: new Map() };
    sessions.set(tracker, session);
  }
  return session;
}

/**
 * Run `work` alone on `tracker` within this process: two reports at once would both find no
 * issue for a key and both create one. (Across processes the ledger lease orders ticks.)
 */
export async function withTrackerLock<T>(
  tracker: IssueTracker,
  work: () => Promise<T>,
): Promise<T> {
  const session = sessionOf(tracker);
  const previous = session.queue;
  let release: () => void = () => undefined;
  session.queue = new Promise<void>((resolve) => {
    release = resolve;
  });
  await previous;
  try {
    return await work();
  } finally {
    release();
  }
}

/** The bot's issues by key, from one full listing merged with this process's own writes. */
export class IssueIndex {
  private constructor(
    private readonly tracker: IssueTracker,
    private readonly issues: Map<number, TrackedIssue>,
    private readonly now: Date,
  ) {}

  static async load(tracker: IssueTracker, now: Date): Promise<IssueIndex> {
    const issues = new Map<number, TrackedIssue>();
    for await (const issue of tracker.listIssues()) issues.set(issue.number, issue);
    for (const [number, written] of sessionOf(tracker).written) {
      if (Math.abs(now.getTime() - written.at) <= LISTING_LAG_MS) issues.set(number, written.issue);
    }
    return new IssueIndex(tracker, issues, now);
  }

  /** Every issue that is the bot's, by number. */
  own(): OwnIssue[] {
    const bot = this.tracker.botLogin.toLowerCase();
    const out: OwnIssue[] = [];
    for (const issue of this.issues.values()) {
      if (issue.author.toLowerCase() !== bot) continue;
      const marker = readMarker(issue.body);
      if (marker !== null) out.push({ issue, marker });
    }
    return out.sort((a, b) => a.issue.number - b.issue.number);
  }

  /** The bot's issue for `key`: the open one if any, else the most recent. */
  find(key: string): OwnIssue | undefined {
    const matches = this.own().filter((o) => o.marker.key === key);
    const open = matches.filter((o) => o.issue.state === 'open');
    return (open.length > 0 ? open : matches).at(-1);
  }

  remember(issue: TrackedIssue): void {
    this.issues.set(issue.number, issue);
    sessionOf(this.tracker).written.set(issue.number, { issue, at: this.now.getTime() });
  }
}

export interface SyncContext {
  tracker: IssueTracker;
  index: IssueIndex;
  log: ReportLog;
  /** Receives one line per write, for the report's `written` list. */
  wrote: (what: string) => void;
}

/**
 * Bring the issue for `desired.key` to the desired state. Writes only what differs: an
 * unchanged issue costs no request at all.
 */
export async function applyIssue(ctx: SyncContext, desired: DesiredIssue): Promise<void> {
  const body = cutBody(desired.body);
  const comments = desired.comments.map((c) => cutBody(c));
  const found = ctx.index.find(desired.key);

  if (found === undefined) {
    await createIssue(ctx, { ...desired, body, comments });
    return;
  }

  const issue = found.issue;
  const patch: { title?: string; body?: string; state?: 'open' | 'closed' } = {};
  if (issue.body !== body) patch.body = body;
  if (issue.title !== desired.title) patch.title = desired.title;
  const reopening = desired.state === 'open' && issue.state === 'closed' && desired.mayReopen;
  const closing = desired.state === 'closed' && issue.state === 'open';
  if (reopening || closing) patch.state = desired.state;
  const postComments = reopening || closing || issue.state === 'open' ? comments : [];

  if (closing) await postAll(ctx, issue, postComments);
  if (Object.keys(patch).length > 0) {
    const updated = await ctx.tracker.updateIssue(issue.number, patch);
    ctx.index.remember(updated);
    ctx.wrote(`${describeUpdate(patch)} #${issue.number} (${desired.key})`);
  }
  if (!closing) await postAll(ctx, issue, postComments);
}

async function createIssue(ctx: SyncContext, desired: DesiredIssue): Promise<void> {
  const created = await ctx.tracker.createIssue({
    title: desired.title,
    body: desired.body,
    labels: desired.labels,
  });
  ctx.index.remember(created);
  ctx.wrote(`opened #${created.number} (${desired.key})`);
  ctx.log.info(`opened issue #${created.number} for ${desired.key}: ${created.url}`);
  if (desired.state === 'closed') {
    ctx.index.remember(await ctx.tracker.updateIssue(created.number, { state: 'closed' }));
    ctx.wrote(`closed #${created.number} (${desired.key})`);
    return;
  }
  await postAll(ctx, created, desired.comments);
}

async function postAll(ctx: SyncContext, issue: TrackedIssue, comments: string[]): Promise<void> {
  for (const comment of comments) {
    await ctx.tracker.comment(issue.number, comment);
    ctx.wrote(`commented on #${issue.number}`);
  }
}

function describeUpdate(patch: { body?: string; title?: string; state?: string }): string {
  if (patch.state === 'open') return 'reopened';
  if (patch.state === 'closed') return 'closed';
  return 'updated';
}
