import { execFile } from 'node:child_process';
import { lstat, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Patrol, PatrolTable } from '../config/types.js';
import { cellCode, link, neutraliseMentions } from './markdown.js';
import { formatInstant } from './time.js';
import { silentLog, type ReportLog } from './tracker.js';

/**
 * Pull requests for patrols that change files: after a run, the files it changed in the
 * workspace are committed on top of the base branch's head (through the Git database API,
 * so no push credentials and no local history are needed) and proposed in one pull request
 * per patrol branch, updated in place by later runs.
 */

const run = promisify(execFile);

/** A file a patrol changed, relative to the repository root. */
export type FileChange =
  | { path: string; kind: 'write'; mode: FileMode; content: Buffer }
  | { path: string; kind: 'delete' };

export type FileMode = '100644' | '100755' | '120000';

/** One entry of a new tree: a blob at `path`, or `sha: null` to delete the path. */
export interface TreeChange {
  path: string;
  mode: FileMode;
  sha: string | null;
}

export interface PullRequestInfo {
  number: number;
  url: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  /** The commit at the head of the pull request. */
  headSha: string;
}

/** A branch write found the ref already there (create) or missing (update). */
export class BranchRefError extends Error {
  override name = 'BranchRefError';
  constructor(
    readonly branch: string,
    readonly problem: 'exists' | 'missing',
  ) {
    super(`branch ${branch} ${problem === 'exists' ? 'already exists' : 'does not exist'}`);
  }
}

/** GitHub answered 422 "A pull request already exists": another run opened it first. */
export class PullRequestExistsError extends Error {
  override name = 'PullRequestExistsError';
}

/** The configuration asks for something the bot refuses to do. */
export class PullRequestConfigError extends Error {
  override name = 'PullRequestConfigError';
}

/** What the pull request flow needs from GitHub (github-pull-host.ts), or from a fake. */
export interface PullRequestHost {
  readonly owner: string;
  defaultBranch(): Promise<string>;
  /** The commit a branch points at; null when there is no such branch. */
  branchHead(branch: string): Promise<string | null>;
  commit(sha: string): Promise<{ tree: string; parents: string[] }>;
  createBlob(content: Buffer): Promise<string>;
  createTree(baseTree: string, changes: TreeChange[]): Promise<string>;
  createCommit(message: string, tree: string, parents: string[]): Promise<string>;
  /** Throws BranchRefError('exists') when the branch is there already. */
  createBranch(branch: string, sha: string): Promise<void>;
  /** Moves the branch even when it is not a fast forward; BranchRefError('missing'). */
  forceBranch(branch: string, sha: string): Promise<void>;
  /** Pull requests, open and closed, whose head is `owner:branch`; newest first. */
  findPulls(branch: string): Promise<PullRequestInfo[]>;
  /** Throws PullRequestExistsError when one is open for the branch already. */
  createPull(p: {
    title: string;
    body: string;
    branch: string;
    base: string;
  }): Promise<PullRequestInfo>;
  updatePull(number: number, p: { title?: string; body?: string }): Promise<PullRequestInfo>;
  closePull(number: number): Promise<void>;
  comment(number: number, body: string): Promise<void>;
  addLabels(number: number, labels: string[]): Promise<void>;
}

export interface ProposeInput {
  table: PatrolTable;
  patrol: Patrol;
  /** What the run changed (see workspaceChanges). */
  changes: FileChange[];
  host: PullRequestHost;
  /** The run behind the change, for the commit message and the pull request text. */
  run: { slot: string; fencingToken: number; url?: string };
  log?: ReportLog;
}

export type ProposeResult =
  | { action: 'none' }
  | {
      action: 'created' | 'updated' | 'unchanged';
      number: number;
      url: string;
      files: string[];
    }
  | { action: 'closed'; number: number; url: string }
  /** Someone closed the pull request of this very change: it is not proposed again. */
  | { action: 'declined'; number: number; url: string };

/**
 * Bring the patrol's pull request in line with what its run changed:
 * - changes: commit them on the base branch's head, force the patrol branch to that commit,
 *   and open the pull request, or update the open one (found by its head `owner:branch`;
 *   a 422 "already exists" means a racing run opened it: then that one is updated);
 * - the same change as the branch already has: nothing is written; and when someone closed
 *   the pull request of that very change, it is not opened again;
 * - no change: no pull request, and an open one whose change has gone is closed with a
 *   comment.
 */
export async function proposeChanges(input: ProposeInput): Promise<ProposeResult> {
  const spec = input.patrol.pullRequest;
  if (spec === undefined) return { action: 'none' };
  const { host } = input;
  const log = input.log ?? silentLog;
  const base = spec.base ?? (await host.defaultBranch());
  if (spec.branch === base) {
    throw new PullRequestConfigError(
      `patrol ${input.patrol.id}: pull-request branch ${spec.branch} is the base branch; ` +
        'the bot never commits to it',
    );
  }

  const pulls = await host.findPulls(spec.branch);
  const open = pulls.find((p) => p.state === 'open') ?? null;
  const baseHead = await host.branchHead(base);
  if (baseHead === null) throw new PullRequestConfigError(`base branch ${base} does not exist`);
  const baseTree = (await host.commit(baseHead)).tree;
  const tree =
    input.changes.length === 0 ? baseTree : await buildTree(host, baseTree, input.changes);

  if (tree === baseTree) {
    if (open === null) return { action: 'none' };
    await host.comment(open.number, closingComment(input));
    await host.closePull(open.number);
    log.info(`${input.patrol.id}: closed pull request #${open.number}, its change is gone`);
    return { action: 'closed', number: open.number, url: open.url };
  }

  const files = input.changes.map((c) => c.path).sort();
  const branchHead = await host.branchHead(spec.branch);
  const same = branchHead !== null && (await sameChange(host, branchHead, tree, baseHead));
  if (same && open !== null) {
    return { action: 'unchanged', number: open.number, url: open.url, files };
  }
  const declined = same
    ? pulls.find((p) => p.state === 'closed' && p.headSha === branchHead)
    : undefined;
  if (declined !== undefined) {
    return { action: 'declined', number: declined.number, url: declined.url };
  }
  if (!same) {
    const commit = await host.createCommit(commitMessage(input, files), tree, [baseHead]);
    await setBranch(host, spec.branch, commit, branchHead === null);
  }

  const title = spec.title;
  const body = pullBody(input, files);
  if (open !== null) return update(host, open, { title, body }, files);
  try {
    const created = await host.createPull({ title, body, branch: spec.branch, base });
    await labelPull(host, created.number, spec.labels, log);
    log.info(`${input.patrol.id}: opened pull request #${created.number}`);
    return { action: 'created', number: created.number, url: created.url, files };
  } catch (error: unknown) {
    if (!(error instanceof PullRequestExistsError)) throw error;
    const raced = (await host.findPulls(spec.branch)).find((p) => p.state === 'open');
    if (raced === undefined) throw error;
    return update(host, raced, { title, body }, files);
  }
}

async function update(
  host: PullRequestHost,
  pull: PullRequestInfo,
  wanted: { title: string; body: string },
  files: string[],
): Promise<ProposeResult> {
  if (pull.title !== wanted.title || pull.body !== wanted.body) {
    await host.updatePull(pull.number, wanted);
  }
  return { action: 'updated', number: pull.number, url: pull.url, files };
}

async function buildTree(host: PullRequestHost, baseTree: string, changes: FileChange[]) {
  const entries: TreeChange[] = [];
  for (const change of [...changes].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (change.kind === 'delete') {
      entries.push({ path: change.path, mode: '100644', sha: null });
      continue;
    }
    entries.push({
      path: change.path,
      mode: change.mode,
      sha: await host.createBlob(change.content),
    });
  }
  return host.createTree(baseTree, entries);
}

/** The branch already holds this change: one commit with this tree on the current base. */
async function sameChange(host: PullRequestHost, head: string, tree: string, baseHead: string) {
  const commit = await host.commit(head);
  return commit.tree === tree && commit.parents.length === 1 && commit.parents[0] === baseHead;
}

/** Create or force-move the branch; a racing run may have done the other first. */
async function setBranch(host: PullRequestHost, branch: string, sha: string, create: boolean) {
  try {
    if (create) await host.createBranch(branch, sha);
    else await host.forceBranch(branch, sha);
  } catch (error: unknown) {
    if (!(error instanceof BranchRefError)) throw error;
    if (error.problem === 'exists') await host.forceBranch(branch, sha);
    else await host.createBranch(branch, sha);
  }
}

async function labelPull(host: PullRequestHost, number: number, labels: string[], log: ReportLog) {
  if (labels.length === 0) return;
  try {
    await host.addLabels(number, labels);
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    log.warn(`pull request #${number}: labels ${labels.join(', ')} not added (${message})`);
  }
}

function commitMessage(input: ProposeInput, files: string[]): string {
  return (
    `${input.patrol.pullRequest?.title ?? input.patrol.id}\n\n` +
    `Changed by patrol ${input.patrol.id} (table ${input.table.id}) in its run for slot ` +
    `${input.run.slot}, lease ${input.run.fencingToken}: ${files.length} file(s).\n`
  );
}

function pullBody(input: ProposeInput, files: string[]): string {
  const spec = input.patrol.pullRequest;
  const shown = files.slice(0, 50).map((f) => `- ${cellCode(f)}`);
  if (files.length > shown.length) shown.push(`- and ${files.length - shown.length} more`);
  const runText = link('its run', input.run.url);
  return [
    spec?.body ?? '',
    '---',
    `Proposed by Cronwarden from patrol ${cellCode(input.patrol.id)} (table ` +
      `${cellCode(input.table.id)}), after ${runText} for slot ` +
      `${formatInstant(input.run.slot)} (lease ${input.run.fencingToken}). Later runs update ` +
      'this pull request; it is closed if a run no longer changes anything.',
    '<details><summary>Files changed</summary>',
    neutraliseMentions(shown.join('\n')),
    '</details>',
    '',
  ]
    .filter((part, i) => i > 0 || part !== '')
    .join('\n\n');
}

function closingComment(input: ProposeInput): string {
  return (
    `The run of ${cellCode(input.patrol.id)} for slot ${formatInstant(input.run.slot)} ` +
    `(lease ${input.run.fencingToken}) changed nothing, so this change is no longer needed. ` +
    'Closing.\n'
  );
}

/**
 * The files changed in the git work tree at `directory`, from `git status --porcelain`:
 * modified, added, untracked (every file, not just directories) and deleted, with renames
 * as a delete and a write. Paths are relative to the repository root. Ignored files are
 * not changes.
 */
export async function workspaceChanges(
  directory: string,
  options: { ignore?: string[] } = {},
): Promise<FileChange[]> {
  // Variables a git hook may have set would point git at another repository.
  const env = {
    ...process.env,
    GIT_DIR: undefined,
    GIT_WORK_TREE: undefined,
    GIT_INDEX_FILE: undefined,
  };
  const root = (
    await run('git', ['rev-parse', '--show-toplevel'], { cwd: directory, env })
  ).stdout.trim();
  const { stdout } = await run(
    'git',
    ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames'],
    { cwd: root, env, maxBuffer: 64 * 1024 * 1024 },
  );
  const ignore = options.ignore ?? [];
  const changes: FileChange[] = [];
  for (const file of changedPaths(stdout)) {
    if (ignore.some((prefix) => file === prefix || file.startsWith(prefix))) continue;
    const change = await readChange(root, file);
    if (change !== null) changes.push(change);
  }
  return changes;
}

/** Paths from `git status --porcelain=v1 -z`: entries `XY path`, NUL-separated. */
export function changedPaths(porcelain: string): string[] {
  const paths: string[] = [];
  const fields = porcelain.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] as string;
    if (entry.length < 4) continue;
    const status = entry.slice(0, 2);
    paths.push(entry.slice(3));
    // With renames on, the original path follows as its own field.
    if (status.includes('R') || status.includes('C')) paths.push(fields[++i] as string);
  }
  return [...new Set(paths)].sort();
}

async function readChange(root: string, file: string): Promise<FileChange | null> {
  const full = path.join(root, file);
  let stat;
  try {
    stat = await lstat(full);
  } catch (error: unknown) {
    if ((error as { code?: unknown }).code === 'ENOENT') return { path: file, kind: 'delete' };
    throw error;
  }
  if (stat.isSymbolicLink()) {
    return {
      path: file,
      kind: 'write',
      mode: '120000',
      content: Buffer.from(await readlink(full)),
    };
  }
  // A directory here is a nested repository or submodule: not a file to propose.
  if (!stat.isFile()) return null;
  const mode = (stat.mode & 0o111) !== 0 ? '100755' : '100644';
  return { path: file, kind: 'write', mode, content: await readFile(full) };
}
