import type { Octokit } from '@octokit/rest';
import { explain, httpFailure } from '../github/errors.js';
import type { IssuePatch, IssueTracker, NewIssue, ReportLog, TrackedIssue } from './tracker.js';
import { silentLog } from './tracker.js';

/** The login of the GITHUB_TOKEN of a workflow run: what it writes is authored by this bot. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

export interface GithubTrackerOptions {
  owner: string;
  repo: string;
  /** Whose issues are the bot's: the token's login (default: github-actions[bot]). */
  botLogin?: string;
  log?: ReportLog;
}

const LABEL_COLOR = '5319e7';
const LABEL_DESCRIPTION = 'Kept by Cronwarden';

/** A label object or a bare name, as GitHub lists them on an issue. */
type LabelLike = string | { name?: string | null };

interface IssueData {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  html_url: string;
  user: { login: string } | null;
  labels: LabelLike[];
  pull_request?: unknown;
}

/**
 * The bot's issues on GitHub. Issues are listed, never searched: the search index lags
 * behind writes, and a lookup that misses a fresh issue opens a duplicate. The list asks for
 * the bot's own issues only (`creator`), every page, open and closed.
 */
export class GithubTracker implements IssueTracker {
  readonly botLogin: string;
  private readonly owner: string;
  private readonly repo: string;
  private readonly log: ReportLog;
  private readonly labelCache = new Map<string, boolean>();

  constructor(
    private readonly octokit: Octokit,
    options: GithubTrackerOptions,
  ) {
    this.owner = options.owner;
    this.repo = options.repo;
    this.botLogin = options.botLogin ?? ACTIONS_BOT_LOGIN;
    this.log = options.log ?? silentLog;
  }

  async *listIssues(): AsyncIterable<TrackedIssue> {
    const pages = this.octokit.paginate.iterator(this.octokit.rest.issues.listForRepo, {
      owner: this.owner,
      repo: this.repo,
      state: 'all',
      creator: this.botLogin,
      per_page: 100,
    });
    try {
      for await (const page of pages) {
        for (const item of page.data as IssueData[]) {
          // The issues endpoint lists pull requests too.
          if (item.pull_request !== undefined && item.pull_request !== null) continue;
          yield tracked(item);
        }
      }
    } catch (error: unknown) {
      explain(error, 'issues: read', 'list issues');
    }
  }

  async createIssue(issue: NewIssue): Promise<TrackedIssue> {
    try {
      const { data } = await this.octokit.rest.issues.create({
        owner: this.owner,
        repo: this.repo,
        title: issue.title,
        body: issue.body,
        labels: issue.labels,
        // A 5xx may come after the issue was made: retrying would make a second one. The
        // report fails instead, and the next one finds the issue if it was made.
        request: { retries: 0 },
      });
      return tracked(data as IssueData);
    } catch (error: unknown) {
      explain(error, 'issues: write', 'open an issue');
    }
  }

  async updateIssue(number: number, patch: IssuePatch): Promise<TrackedIssue> {
    try {
      const { data } = await this.octokit.rest.issues.update({
        owner: this.owner,
        repo: this.repo,
        issue_number: number,
        ...patch,
      });
      return tracked(data as IssueData);
    } catch (error: unknown) {
      explain(error, 'issues: write', `update issue #${number}`);
    }
  }

  async comment(number: number, body: string): Promise<void> {
    try {
      await this.octokit.rest.issues.createComment({
        owner: this.owner,
        repo: this.repo,
        issue_number: number,
        body,
        request: { retries: 0 }, // as for issues: never post a comment twice
      });
    } catch (error: unknown) {
      explain(error, 'issues: write', `comment on issue #${number}`);
    }
  }

  /**
   * Look each label up, create the missing ones, and answer those that exist. A label that
   * cannot be created (a token without the right, say) is dropped with a warning: an issue
   * without a label is better than no issue. Answers are cached for the process.
   */
  async ensureLabels(names: string[]): Promise<string[]> {
    const usable: string[] = [];
    for (const name of names) {
      let ok = this.labelCache.get(name);
      if (ok === undefined) {
        ok = await this.ensureLabel(name);
        this.labelCache.set(name, ok);
      }
      if (ok) usable.push(name);
    }
    return usable;
  }

  private async ensureLabel(name: string): Promise<boolean> {
    const where = { owner: this.owner, repo: this.repo };
    try {
      await this.octokit.rest.issues.getLabel({ ...where, name });
      return true;
    } catch (error: unknown) {
      if (httpFailure(error)?.status !== 404) return this.dropLabel(name, error);
    }
    try {
      await this.octokit.rest.issues.createLabel({
        ...where,
        name,
        color: LABEL_COLOR,
        description: LABEL_DESCRIPTION,
      });
      return true;
    } catch (error: unknown) {
      // Another run created it in the meantime.
      if (httpFailure(error)?.status === 422) return true;
      return this.dropLabel(name, error);
    }
  }

  private dropLabel(name: string, error: unknown): boolean {
    const failure = httpFailure(error);
    const why = failure === null ? String(error) : `${failure.status} ${failure.message}`;
    this.log.warn(`label "${name}" cannot be created (${why}); issues are opened without it`);
    return false;
  }
}

function tracked(data: IssueData): TrackedIssue {
  return {
    number: data.number,
    title: data.title,
    body: data.body ?? '',
    state: data.state === 'closed' ? 'closed' : 'open',
    author: data.user?.login ?? '',
    url: data.html_url,
    labels: data.labels
      .map((l) => (typeof l === 'string' ? l : (l.name ?? '')))
      .filter((l) => l !== ''),
  };
}
