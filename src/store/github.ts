import { createHash } from 'node:crypto';
import type { GitHubClient, ServerClock } from '../github/client.js';
import {
  explain,
  GITHUB_MESSAGES,
  hasMessage,
  httpFailure,
  isUncertain,
  PermissionError,
} from '../github/errors.js';
import { assertLedgerRef } from './rules.js';
import { StoreError } from './types.js';
import type { LedgerCommit, LedgerRead, LedgerStore, WriteResult } from './types.js';

/**
 * Every ledger commit points at this one tree: the state lives in the commit message, so
 * a write is one commit plus one ref update. GitHub no longer accepts the well-known empty
 * tree, so the tree holds a short README; it is created once per repository, on demand.
 */
const LEDGER_README =
  'This ref is a Cronwarden ledger. Its state is in the commit messages; its history is\n' +
  'the audit log. Do not move or delete it by hand while ticks run.\n';

export const READ_LEDGER_QUERY = `query CronwardenReadLedger($owner: String!, $name: String!, $ref: String!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $ref) { target { oid ... on Commit { message } } }
  }
}`;

export const LEDGER_HISTORY_QUERY = `query CronwardenLedgerHistory($owner: String!, $name: String!, $ref: String!, $first: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $ref) { target { ... on Commit {
      history(first: $first, after: $after) { nodes { oid message } pageInfo { hasNextPage endCursor } }
    } } }
  }
}`;

export interface GitHubStoreOptions {
  octokit: GitHubClient;
  clock: ServerClock;
  /** owner/name of the lock repository. */
  repository: string;
  graphqlUrl: string;
}

interface GraphqlAnswer<T> {
  data?: T | null;
  errors?: { type?: string; message: string }[];
}

type ReadData = {
  repository: { ref: { target: { oid: string; message?: string } } | null } | null;
};

type HistoryData = {
  repository: {
    ref: {
      target: {
        history?: {
          nodes: { oid: string; message: string }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      };
    } | null;
  } | null;
};

/** Ledgers in git refs of a GitHub repository, written only by create and fast-forward. */
export class GitHubStore implements LedgerStore {
  readonly description: string;
  private readonly owner: string;
  private readonly repo: string;
  private treeKnown = false;

  constructor(private readonly options: GitHubStoreOptions) {
    const [owner, repo, extra] = options.repository.split('/');
    if (!owner || !repo || extra !== undefined) {
      throw new StoreError(`"${options.repository}" is not an owner/name repository`);
    }
    this.owner = owner;
    this.repo = repo;
    this.description = `github:${options.repository}`;
  }

  async read(ref: string): Promise<LedgerRead> {
    assertLedgerRef(ref);
    const answered: { date?: string } = {};
    const data = await this.graphql<ReadData>(
      READ_LEDGER_QUERY,
      { ref },
      'read the ledger',
      answered,
    );
    const target = data.repository?.ref?.target;
    // The server's clock when it answered this very read: its Date header.
    const date = answered.date === undefined ? Number.NaN : Date.parse(answered.date);
    return {
      tip: target === undefined ? null : { sha: target.oid, message: target.message ?? '' },
      serverTime: Number.isNaN(date) ? await this.now() : new Date(date),
    };
  }

  async create(ref: string, message: string): Promise<WriteResult> {
    assertLedgerRef(ref);
    // A new ledger is usually the first in its repository: write the tree up front rather
    // than learn of its absence from a failed commit. Writing it again is harmless (the
    // same content is the same object), and this keeps a create to three writes.
    await this.ensureTree();
    const sha = await this.commit(message, []);
    try {
      await this.rest('POST /repos/{owner}/{repo}/git/refs', { ref, sha }, 'create the ledger ref');
      return { ok: true, tip: sha };
    } catch (error: unknown) {
      const failure = httpFailure(error);
      // A retried POST whose first attempt landed also answers "already exists": look.
      if (hasMessage(failure, GITHUB_MESSAGES.refExists) || isUncertain(failure)) {
        const tip = await this.tipOf(ref);
        if (tip === sha) return { ok: true, tip: sha };
        if (tip !== null) return { ok: false, reason: 'exists' };
      }
      return explain(error, 'contents: write', `create ${ref}`);
    }
  }

  async swap(ref: string, expectedTip: string, message: string): Promise<WriteResult> {
    assertLedgerRef(ref);
    const sha = await this.commit(message, [expectedTip]);
    try {
      // force=false accepts only a fast-forward. No writer ever moves a ledger backwards,
      // so "a descendant of the tip" is "a child of the expected tip" here: a true swap.
      await this.rest(
        'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
        { ref: ref.slice('refs/'.length), sha, force: false },
        `update ${ref}`,
      );
      return { ok: true, tip: sha };
    } catch (error: unknown) {
      const failure = httpFailure(error);
      if (hasMessage(failure, GITHUB_MESSAGES.notFastForward) || failure?.status === 409) {
        return { ok: false, reason: 'conflict' };
      }
      if (isUncertain(failure)) {
        // The update may have landed before the error: only the ref can say.
        const tip = await this.tipOf(ref);
        if (tip === sha) return { ok: true, tip: sha };
        if (tip !== expectedTip) return { ok: false, reason: 'conflict' };
      }
      return explain(error, 'contents: write', `update ${ref}`);
    }
  }

  async *history(ref: string, options: { limit?: number } = {}): AsyncIterable<LedgerCommit> {
    assertLedgerRef(ref);
    let remaining = options.limit ?? Number.POSITIVE_INFINITY;
    let after: string | null = null;
    while (remaining > 0) {
      const first = Math.min(100, remaining);
      const data: HistoryData = await this.graphql<HistoryData>(
        LEDGER_HISTORY_QUERY,
        { ref, first, after },
        'read the ledger history',
      );
      const history = data.repository?.ref?.target.history;
      if (history === undefined) return;
      for (const node of history.nodes.slice(0, remaining)) {
        yield { sha: node.oid, message: node.message };
      }
      remaining -= history.nodes.length;
      if (!history.pageInfo.hasNextPage) return;
      after = history.pageInfo.endCursor;
    }
  }

  async now(): Promise<Date> {
    const known = this.options.clock.now();
    if (known !== null) return known;
    // /rate_limit costs nothing against the limit and carries a Date header.
    await this.options.octokit.request('GET /rate_limit');
    return this.options.clock.now() ?? new Date();
  }

  private async commit(message: string, parents: string[]): Promise<string> {
    const tree = ledgerTreeSha();
    try {
      return await this.postCommit(message, tree, parents);
    } catch (error: unknown) {
      // Every ledger commit reuses one tree, so a swap normally finds it; only a ledger
      // whose tree was never written here (a hand-made ref) takes this path.
      if (this.treeKnown || !hasMessage(httpFailure(error), GITHUB_MESSAGES.treeMissing)) {
        return explain(error, 'contents: write', 'write a ledger commit');
      }
    }
    await this.ensureTree();
    return this.postCommit(message, tree, parents);
  }

  private async ensureTree(): Promise<void> {
    if (this.treeKnown) return;
    await this.rest(
      'POST /repos/{owner}/{repo}/git/trees',
      { tree: [{ path: 'README.md', mode: '100644', type: 'blob', content: LEDGER_README }] },
      'write the ledger tree',
    );
    this.treeKnown = true;
  }

  private async postCommit(message: string, tree: string, parents: string[]): Promise<string> {
    const response = await this.options.octokit.request('POST /repos/{owner}/{repo}/git/commits', {
      owner: this.owner,
      repo: this.repo,
      message,
      tree,
      parents,
    });
    this.treeKnown = true;
    return response.data.sha;
  }

  private async tipOf(ref: string): Promise<string | null> {
    return (await this.read(ref)).tip?.sha ?? null;
  }

  private async rest(route: string, params: Record<string, unknown>, what: string) {
    try {
      return await this.options.octokit.request(route, {
        owner: this.owner,
        repo: this.repo,
        ...params,
      });
    } catch (error: unknown) {
      const failure = httpFailure(error);
      if (failure?.status === 403 || failure?.status === 401)
        explain(error, 'contents: write', what);
      throw error;
    }
  }

  private async graphql<T>(
    query: string,
    variables: Record<string, unknown>,
    what: string,
    answered: { date?: string } = {},
  ): Promise<T> {
    let answer: GraphqlAnswer<T>;
    try {
      const response = await this.options.octokit.request('POST /graphql', {
        url: this.options.graphqlUrl,
        query,
        variables: { owner: this.owner, name: this.repo, ...variables },
      });
      answer = response.data as GraphqlAnswer<T>;
      if (response.headers.date !== undefined) answered.date = response.headers.date;
    } catch (error: unknown) {
      return explain(error, 'contents: read', what);
    }
    const errors = answer.errors ?? [];
    // GraphQL answers a missing permission with HTTP 200 and an error in the body.
    if (errors.some((e) => e.type === 'FORBIDDEN')) {
      throw new PermissionError('contents: read', what);
    }
    if (errors.some((e) => e.type === 'NOT_FOUND')) {
      throw new StoreError(
        `${this.owner}/${this.repo} was not found, or the token cannot see it (to ${what})`,
      );
    }
    if (errors.length > 0 || answer.data === undefined || answer.data === null) {
      throw new StoreError(`GitHub could not ${what}: ${errors.map((e) => e.message).join('; ')}`);
    }
    return answer.data;
  }
}

/** The git id of the ledger tree, computed as git does, so no request is needed to know it. */
export function ledgerTreeSha(): string {
  const blob = gitObjectId('blob', Buffer.from(LEDGER_README, 'utf8'));
  const entry = Buffer.concat([
    Buffer.from('100644 README.md\0', 'utf8'),
    Buffer.from(blob, 'hex'),
  ]);
  return gitObjectId('tree', entry);
}

function gitObjectId(type: string, body: Buffer): string {
  const header = Buffer.from(`${type} ${body.length}\0`, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([header, body]))
    .digest('hex');
}
