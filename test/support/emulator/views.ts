import type { Signature } from './git-objects.js';
import type { Repository, RunStatus } from './model.js';
import { buildTree } from './tree-edit.js';

/**
 * Plain snapshots of emulator state for test assertions, and direct seeding. Views are
 * copies: changing one changes nothing in the emulator.
 */

export interface SeedCommit {
  message: string;
  /** Path to UTF-8 content, written on top of `baseTree` (or of nothing). */
  files?: Record<string, string>;
  baseTree?: string;
  parents?: string[];
  author?: { name: string; email: string; date?: Date };
}

export interface CommitView {
  sha: string;
  message: string;
  tree: string;
  parents: string[];
  author: { name: string; email: string; date: Date };
  committer: { name: string; email: string; date: Date };
}

export interface TreeEntryView {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

export interface IssueView {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: string | null;
  user: { login: string; type: 'Bot' | 'User' };
  labels: string[];
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  comments: number;
  isPullRequest: boolean;
}

export interface PullView extends IssueView {
  head: string;
  base: string;
  draft: boolean;
}

export interface CommentView {
  id: number;
  issueNumber: number;
  body: string;
  user: { login: string; type: 'Bot' | 'User' };
  createdAt: Date;
  updatedAt: Date;
}

export interface LabelView {
  name: string;
  color: string;
  description: string | null;
}

export interface RunView {
  id: number;
  name: string;
  event: string;
  workflowId: string;
  attempt: number;
  status: RunStatus;
  conclusion: string | null;
  attempts: { status: RunStatus; conclusion: string | null }[];
}

export interface DispatchView {
  workflowId: string;
  ref: string;
  inputs: Record<string, unknown>;
  at: Date;
  runId: number;
  by: string;
}

const SEED_AUTHOR = { name: 'GitHub', email: 'noreply@github.com' };

export function seedCommit(repo: Repository, c: SeedCommit, now: Date): string {
  const edits = Object.entries(c.files ?? {}).map(([path, content]) => ({
    path,
    mode: '100644',
    content,
  }));
  const tree = buildTree(repo.objects, c.baseTree, edits);
  const author: Signature = {
    name: c.author?.name ?? SEED_AUTHOR.name,
    email: c.author?.email ?? SEED_AUTHOR.email,
    date: c.author?.date ?? now,
    zone: '+0000',
  };
  const parents = c.parents ?? [];
  for (const p of parents) {
    if (!repo.objects.has(p, 'commit')) {
      throw new Error(`seedCommit: parent ${p} is not a commit of ${repo.fullName}.`);
    }
  }
  return repo.objects.putCommit({ tree, parents, author, committer: author, message: c.message })
    .sha;
}

function copyDate(d: Date): Date {
  return new Date(d.getTime());
}

export function commitView(repo: Repository, sha: string): CommitView | undefined {
  const c = repo.objects.commit(sha);
  if (c === undefined) {
    return undefined;
  }
  const person = (s: Signature): CommitView['author'] => ({
    name: s.name,
    email: s.email,
    date: copyDate(s.date),
  });
  return {
    sha: c.sha,
    message: c.message,
    tree: c.tree,
    parents: [...c.parents],
    author: person(c.author),
    committer: person(c.committer),
  };
}

export function blobText(repo: Repository, sha: string): string | undefined {
  return repo.objects.blob(sha)?.content.toString('utf8');
}

export function treeView(repo: Repository, sha: string): TreeEntryView[] | undefined {
  return repo.objects
    .tree(sha)
    ?.entries.map((e) => ({ path: e.name, mode: e.mode, type: e.type, sha: e.sha }));
}

/** A tree, commit or ref name (full, or a branch) to the tree it means. */
function treeOf(repo: Repository, treeish: string): string | undefined {
  const viaRef = repo.refs.get(treeish) ?? repo.refs.get(`refs/heads/${treeish}`);
  const sha = viaRef ?? treeish;
  const o = repo.objects.get(sha);
  if (o?.type === 'commit') {
    return o.tree;
  }
  return o?.type === 'tree' ? o.sha : undefined;
}

export function filesOf(repo: Repository, treeish: string): Record<string, string> | undefined {
  const root = treeOf(repo, treeish);
  if (root === undefined) {
    return undefined;
  }
  const out: Record<string, string> = {};
  const walk = (sha: string, prefix: string): void => {
    for (const e of repo.objects.tree(sha)?.entries ?? []) {
      if (e.type === 'tree') {
        walk(e.sha, `${prefix}${e.name}/`);
      } else if (e.type === 'blob') {
        out[`${prefix}${e.name}`] = blobText(repo, e.sha) ?? '';
      }
    }
  };
  walk(root, '');
  return out;
}

export function issueViews(repo: Repository): IssueView[] {
  return [...repo.issues.values()].map((i) => ({
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    stateReason: i.stateReason,
    user: { login: i.user.login, type: i.user.type },
    labels: [...i.labels],
    createdAt: copyDate(i.createdAt),
    updatedAt: copyDate(i.updatedAt),
    closedAt: i.closedAt === null ? null : copyDate(i.closedAt),
    comments: i.comments,
    isPullRequest: i.pull !== undefined,
  }));
}

export function pullViews(repo: Repository): PullView[] {
  const views = issueViews(repo);
  const out: PullView[] = [];
  for (const issue of repo.issues.values()) {
    const view = views.find((v) => v.number === issue.number);
    if (issue.pull !== undefined && view !== undefined) {
      out.push({
        ...view,
        head: issue.pull.headLabel,
        base: issue.pull.baseRef,
        draft: issue.pull.draft,
      });
    }
  }
  return out;
}

export function commentViews(repo: Repository, number: number): CommentView[] {
  return repo.comments
    .filter((c) => c.issueNumber === number)
    .map((c) => ({
      id: c.id,
      issueNumber: c.issueNumber,
      body: c.body,
      user: { login: c.user.login, type: c.user.type },
      createdAt: copyDate(c.createdAt),
      updatedAt: copyDate(c.updatedAt),
    }));
}

export function labelViews(repo: Repository): LabelView[] {
  return [...repo.labels.values()].map((l) => ({
    name: l.name,
    color: l.color,
    description: l.description,
  }));
}

export function runViews(repo: Repository): RunView[] {
  return [...repo.runs.values()].map((r) => {
    const latest = r.attempts[r.attempts.length - 1];
    return {
      id: r.id,
      name: r.name,
      event: r.event,
      workflowId: r.workflowId,
      attempt: r.attempts.length,
      status: latest?.status ?? 'queued',
      conclusion: latest?.conclusion ?? null,
      attempts: r.attempts.map((a) => ({ status: a.status, conclusion: a.conclusion })),
    };
  });
}

export function dispatchViews(repo: Repository): DispatchView[] {
  return repo.dispatches.map((d) => ({ ...d, inputs: { ...d.inputs }, at: copyDate(d.at) }));
}
