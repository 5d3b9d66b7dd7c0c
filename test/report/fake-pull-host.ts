import { createHash } from 'node:crypto';

import {
  BranchRefError,
  PullRequestExistsError,
  type PullRequestHost,
  type PullRequestInfo,
  type TreeChange,
} from '../../src/report/pull-request.js';

type Tree = Map<string, { mode: string; sha: string }>;

function hash(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('hex');
}

/**
 * A repository in memory, as far as the pull request flow sees one: blobs, trees (flat, by
 * path), commits, branches and pull requests. Counts every write.
 */
export class FakePullHost implements PullRequestHost {
  readonly owner = 'acme';
  readonly blobs = new Map<string, Buffer>();
  readonly trees = new Map<string, Tree>();
  readonly commits = new Map<string, { tree: string; parents: string[]; message: string }>();
  readonly branches = new Map<string, string>();
  readonly pulls: (PullRequestInfo & { branch: string; base: string; labels: string[] })[] = [];
  readonly comments: { number: number; body: string }[] = [];
  readonly writes: string[] = [];
  /** The next createPull finds that another run opened one a moment earlier. */
  raceOnCreate = false;
  failLabels = false;
  private commitCount = 0;

  constructor(files: Record<string, string> = { 'README.md': '# ops\n' }) {
    const tree: Tree = new Map();
    for (const [path, content] of Object.entries(files)) {
      const sha = hash(content);
      this.blobs.set(sha, Buffer.from(content));
      tree.set(path, { mode: '100644', sha });
    }
    const treeSha = this.putTree(tree);
    const commit = this.putCommit('initial', treeSha, []);
    this.branches.set('main', commit);
  }

  private putTree(tree: Tree): string {
    const sha = hash(JSON.stringify([...tree.entries()].sort()));
    this.trees.set(sha, tree);
    return sha;
  }

  private putCommit(message: string, tree: string, parents: string[]): string {
    this.commitCount += 1;
    const sha = hash(`${this.commitCount}:${message}:${tree}:${parents.join(',')}`);
    this.commits.set(sha, { tree, parents, message });
    return sha;
  }

  /** The files on a branch, path to text. */
  files(branch: string): Record<string, string> {
    const commit = this.commits.get(this.branches.get(branch) ?? '');
    const tree = this.trees.get(commit?.tree ?? '') ?? new Map();
    return Object.fromEntries(
      [...tree.entries()].map(([path, e]) => [path, this.blobs.get(e.sha)?.toString() ?? '']),
    );
  }

  /** Someone else moves a branch (a push to main, say). */
  push(branch: string, files: Record<string, string>): void {
    const base = this.commits.get(this.branches.get(branch) as string)!;
    const tree = new Map(this.trees.get(base.tree));
    for (const [path, content] of Object.entries(files)) {
      const sha = hash(content);
      this.blobs.set(sha, Buffer.from(content));
      tree.set(path, { mode: '100644', sha });
    }
    this.branches.set(
      branch,
      this.putCommit('push', this.putTree(tree), [this.branches.get(branch)!]),
    );
  }

  async defaultBranch() {
    return 'main';
  }

  async branchHead(branch: string) {
    return this.branches.get(branch) ?? null;
  }

  async commit(sha: string) {
    const c = this.commits.get(sha);
    if (c === undefined) throw new Error(`no commit ${sha}`);
    return { tree: c.tree, parents: [...c.parents] };
  }

  async createBlob(content: Buffer) {
    const sha = hash(content);
    this.blobs.set(sha, Buffer.from(content));
    this.writes.push('blob');
    return sha;
  }

  async createTree(baseTree: string, changes: TreeChange[]) {
    const tree = new Map(this.trees.get(baseTree));
    for (const c of changes) {
      if (c.sha === null) {
        if (!tree.delete(c.path)) throw new Error(`cannot delete ${c.path}: not in the tree`);
      } else tree.set(c.path, { mode: c.mode, sha: c.sha });
    }
    this.writes.push('tree');
    return this.putTree(tree);
  }

  async createCommit(message: string, tree: string, parents: string[]) {
    this.writes.push('commit');
    return this.putCommit(message, tree, parents);
  }

  async createBranch(branch: string, sha: string) {
    if (this.branches.has(branch)) throw new BranchRefError(branch, 'exists');
    this.branches.set(branch, sha);
    this.writes.push(`create ${branch}`);
  }

  async forceBranch(branch: string, sha: string) {
    if (!this.branches.has(branch)) throw new BranchRefError(branch, 'missing');
    this.branches.set(branch, sha);
    this.writes.push(`force ${branch}`);
  }

  async findPulls(branch: string) {
    return this.pulls
      .filter((p) => p.branch === branch)
      .map((p) => ({ ...p, headSha: this.branches.get(branch) ?? '' }))
      .reverse();
  }

  async createPull(p: { title: string; body: string; branch: string; base: string }) {
    if (this.raceOnCreate) {
      this.raceOnCreate = false;
      this.open({ ...p, title: 'opened by a racing run', body: '' });
    }
    if (this.pulls.some((x) => x.branch === p.branch && x.state === 'open')) {
      throw new PullRequestExistsError(`A pull request already exists for acme:${p.branch}.`);
    }
    this.writes.push('create pull');
    return this.open(p);
  }

  private open(p: { title: string; body: string; branch: string; base: string }) {
    const number = this.pulls.length + 1;
    const pull = {
      number,
      url: `https://example.test/pull/${number}`,
      title: p.title,
      body: p.body,
      state: 'open' as const,
      headSha: this.branches.get(p.branch) ?? '',
      branch: p.branch,
      base: p.base,
      labels: [],
    };
    this.pulls.push(pull);
    return { ...pull };
  }

  async updatePull(number: number, p: { title?: string; body?: string }) {
    const pull = this.pulls.find((x) => x.number === number)!;
    Object.assign(pull, p);
    this.writes.push(`update pull ${number}`);
    return { ...pull };
  }

  async closePull(number: number) {
    const pull = this.pulls.find((x) => x.number === number)!;
    pull.state = 'closed';
    this.writes.push(`close pull ${number}`);
  }

  async comment(number: number, body: string) {
    this.comments.push({ number, body });
    this.writes.push(`comment ${number}`);
  }

  async addLabels(number: number, labels: string[]) {
    if (this.failLabels) throw new Error('Resource not accessible by integration');
    this.pulls.find((x) => x.number === number)!.labels.push(...labels);
    this.writes.push(`label ${number}`);
  }
}
