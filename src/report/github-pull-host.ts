import type { Octokit } from '@octokit/rest';
import { explain, GITHUB_MESSAGES, httpFailure } from '../github/errors.js';
import {
  BranchRefError,
  PullRequestExistsError,
  type PullRequestHost,
  type PullRequestInfo,
  type TreeChange,
} from './pull-request.js';

/** GitHub's words for the errors the pull request flow handles (matched in lower case). */
export const PULL_MESSAGES = {
  pullExists: 'a pull request already exists',
  refMissing: 'reference does not exist',
} as const;

interface PullData {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  state: string;
  head: { sha: string | null };
}

/** Every message of a failed request: the top one and those of its `errors` list. */
function messages(error: unknown): string[] {
  const data = (error as { response?: { data?: unknown } }).response?.data as
    { message?: unknown; errors?: unknown } | undefined;
  const list = Array.isArray(data?.errors) ? (data.errors as { message?: unknown }[]) : [];
  return [data?.message, ...list.map((e) => e?.message)]
    .filter((m): m is string => typeof m === 'string')
    .map((m) => m.toLowerCase());
}

function says(error: unknown, status: number, text: string): boolean {
  return httpFailure(error)?.status === status && messages(error).some((m) => m.includes(text));
}

/** The pull request flow over GitHub's REST API: git database, pulls and issue labels. */
export class GithubPullRequestHost implements PullRequestHost {
  readonly owner: string;
  private readonly repo: string;

  constructor(
    private readonly octokit: Octokit,
    where: { owner: string; repo: string },
  ) {
    this.owner = where.owner;
    this.repo = where.repo;
  }

  private get where() {
    return { owner: this.owner, repo: this.repo };
  }

  async defaultBranch(): Promise<string> {
    const { data } = await this.octokit.rest.repos.get(this.where);
    return data.default_branch;
  }

  async branchHead(branch: string): Promise<string | null> {
    try {
      const { data } = await this.octokit.rest.git.getRef({
        ...this.where,
        ref: `heads/${branch}`,
      });
      return data.object.sha;
    } catch (error: unknown) {
      if (httpFailure(error)?.status === 404) return null;
      throw error;
    }
  }

  async commit(sha: string): Promise<{ tree: string; parents: string[] }> {
    const { data } = await this.octokit.rest.git.getCommit({ ...this.where, commit_sha: sha });
    return { tree: data.tree.sha, parents: data.parents.map((p) => p.sha) };
  }

  async createBlob(content: Buffer): Promise<string> {
    try {
      const { data } = await this.octokit.rest.git.createBlob({
        ...this.where,
        content: content.toString('base64'),
        encoding: 'base64',
      });
      return data.sha;
    } catch (error: unknown) {
      explain(error, 'contents: write', 'write a file to the repository');
    }
  }

  async createTree(baseTree: string, changes: TreeChange[]): Promise<string> {
    const { data } = await this.octokit.rest.git.createTree({
      ...this.where,
      base_tree: baseTree,
      tree: changes.map((c) => ({ path: c.path, mode: c.mode, type: 'blob' as const, sha: c.sha })),
    });
    return data.sha;
  }

  async createCommit(message: string, tree: string, parents: string[]): Promise<string> {
    const { data } = await this.octokit.rest.git.createCommit({
      ...this.where,
      message,
      tree,
      parents,
    });
    return data.sha;
  }

  async createBranch(branch: string, sha: string): Promise<void> {
    try {
      await this.octokit.rest.git.createRef({ ...this.where, ref: `refs/heads/${branch}`, sha });
    } catch (error: unknown) {
      if (says(error, 422, GITHUB_MESSAGES.refExists)) throw new BranchRefError(branch, 'exists');
      explain(error, 'contents: write', `create branch ${branch}`);
    }
  }

  async forceBranch(branch: string, sha: string): Promise<void> {
    try {
      await this.octokit.rest.git.updateRef({
        ...this.where,
        ref: `heads/${branch}`,
        sha,
        force: true,
      });
    } catch (error: unknown) {
      if (says(error, 422, PULL_MESSAGES.refMissing) || httpFailure(error)?.status === 404) {
        throw new BranchRefError(branch, 'missing');
      }
      explain(error, 'contents: write', `update branch ${branch}`);
    }
  }

  async findPulls(branch: string): Promise<PullRequestInfo[]> {
    const pulls = await this.octokit.paginate(this.octokit.rest.pulls.list, {
      ...this.where,
      state: 'all',
      head: `${this.owner}:${branch}`,
      sort: 'created',
      direction: 'desc',
      per_page: 100,
    });
    return (pulls as PullData[]).map(info);
  }

  async createPull(p: { title: string; body: string; branch: string; base: string }) {
    try {
      const { data } = await this.octokit.rest.pulls.create({
        ...this.where,
        title: p.title,
        body: p.body,
        head: p.branch,
        base: p.base,
      });
      return info(data as PullData);
    } catch (error: unknown) {
      if (says(error, 422, PULL_MESSAGES.pullExists)) {
        throw new PullRequestExistsError(`a pull request for ${p.branch} is open already`);
      }
      explain(error, 'pull-requests: write', 'open a pull request');
    }
  }

  async updatePull(number: number, p: { title?: string; body?: string }) {
    const { data } = await this.octokit.rest.pulls.update({
      ...this.where,
      pull_number: number,
      ...p,
    });
    return info(data as PullData);
  }

  async closePull(number: number): Promise<void> {
    await this.octokit.rest.pulls.update({ ...this.where, pull_number: number, state: 'closed' });
  }

  async comment(number: number, body: string): Promise<void> {
    await this.octokit.rest.issues.createComment({ ...this.where, issue_number: number, body });
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    await this.octokit.rest.issues.addLabels({ ...this.where, issue_number: number, labels });
  }
}

function info(data: PullData): PullRequestInfo {
  return {
    number: data.number,
    url: data.html_url,
    title: data.title,
    body: data.body ?? '',
    state: data.state === 'closed' ? 'closed' : 'open',
    headSha: data.head.sha ?? '',
  };
}
