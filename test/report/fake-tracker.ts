import type { IssuePatch, IssueTracker, NewIssue, TrackedIssue } from '../../src/report/tracker.js';

export interface FakeComment {
  issue: number;
  body: string;
}

export type FakeWrite =
  | { kind: 'create'; number: number }
  | { kind: 'update'; number: number; patch: IssuePatch }
  | { kind: 'comment'; number: number };

/**
 * An in-memory tracker. Every call yields to the event loop first, as a real one would
 * await the network, so two reports at once really interleave unless something orders them.
 */
export class FakeTracker implements IssueTracker {
  readonly issues: TrackedIssue[] = [];
  readonly comments: FakeComment[] = [];
  readonly writes: FakeWrite[] = [];
  readonly labels = new Set<string>();
  /** Labels the token may not create (answered as a 403 would be: dropped). */
  readonly forbiddenLabels = new Set<string>();
  /** Listing calls made. */
  listings = 0;
  /** The next write of this kind throws. */
  failNext: FakeWrite['kind'] | null = null;
  failListing = false;

  constructor(readonly botLogin = 'cronwarden[bot]') {}

  private async tick(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private check(kind: FakeWrite['kind']): void {
    if (this.failNext === kind) {
      this.failNext = null;
      throw new Error(`fake ${kind} failure`);
    }
  }

  async *listIssues(): AsyncIterable<TrackedIssue> {
    this.listings += 1;
    await this.tick();
    if (this.failListing) throw new Error('fake listing failure');
    for (const issue of [...this.issues]) {
      await this.tick();
      yield structuredClone(issue);
    }
  }

  /** An issue opened by someone else (a person, or another bot). */
  addForeign(issue: Omit<TrackedIssue, 'number' | 'url'>): TrackedIssue {
    const number = this.issues.length + 1;
    const added = { ...issue, number, url: `https://example.test/issues/${number}` };
    this.issues.push(added);
    return added;
  }

  async createIssue(issue: NewIssue): Promise<TrackedIssue> {
    await this.tick();
    this.check('create');
    const number = this.issues.length + 1;
    const created: TrackedIssue = {
      number,
      title: issue.title,
      body: issue.body,
      state: 'open',
      author: this.botLogin,
      url: `https://example.test/issues/${number}`,
      labels: [...issue.labels],
    };
    this.issues.push(created);
    this.writes.push({ kind: 'create', number });
    return structuredClone(created);
  }

  async updateIssue(number: number, patch: IssuePatch): Promise<TrackedIssue> {
    await this.tick();
    this.check('update');
    const issue = this.get(number);
    Object.assign(issue, patch);
    this.writes.push({ kind: 'update', number, patch });
    return structuredClone(issue);
  }

  async comment(number: number, body: string): Promise<void> {
    await this.tick();
    this.check('comment');
    this.get(number);
    this.comments.push({ issue: number, body });
    this.writes.push({ kind: 'comment', number });
  }

  async ensureLabels(names: string[]): Promise<string[]> {
    await this.tick();
    const usable: string[] = [];
    for (const name of names) {
      if (this.labels.has(name)) usable.push(name);
      else if (!this.forbiddenLabels.has(name)) {
        this.labels.add(name);
        usable.push(name);
      }
    }
    return usable;
  }

  get(number: number): TrackedIssue {
    const issue = this.issues.find((i) => i.number === number);
    if (issue === undefined) throw new Error(`no issue #${number}`);
    return issue;
  }

  /** Issues whose marker key starts with `prefix` (the bot's or not). */
  withKey(prefix: string): TrackedIssue[] {
    return this.issues.filter((i) => i.body.startsWith(`<!-- cronwarden:${prefix}`));
  }

  commentsOn(number: number): string[] {
    return this.comments.filter((c) => c.issue === number).map((c) => c.body);
  }
}
