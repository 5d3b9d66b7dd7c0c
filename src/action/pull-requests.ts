import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Patrol, PatrolTable } from '../config/types.js';
import type { GitHubClient } from '../github/client.js';
import {
  GithubPullRequestHost,
  proposeChanges,
  workspaceChanges,
  type FileChange,
  type ProposeResult,
} from '../report/index.js';
import type { RunContext, TickLogger } from '../tick/types.js';

const git = promisify(execFile);

export interface PullRequestWiring {
  table: PatrolTable;
  octokit: GitHubClient;
  /** owner/name of the repository the pull requests go to (the workflow's own). */
  repository: string;
  workspace: string;
  runUrl: string;
  log: TickLogger;
}

/** How the Action takes part in the pull-request flow of a tick. */
export interface PullRequestFlow {
  /** Before a proposing patrol runs: put back what an earlier one left (a failed run's). */
  prepare(patrol: Patrol): Promise<void>;
  /** The engine's follow-up to a successful run: propose, then put the workspace back. */
  afterRun(patrol: Patrol, context: RunContext): Promise<string | null>;
  /** After a run that did not succeed: nothing is proposed, and its changes are put back. */
  discard(patrol: Patrol): Promise<void>;
}

/**
 * For patrols with a `pull-request` block, the files a successful run changed in the
 * workspace are proposed, then put back as they were checked out. The engine runs such
 * patrols one at a time and each starts from a clean workspace, so each proposal holds its
 * own patrol's changes only; files already changed before the tick (by earlier steps of
 * the job) are never proposed nor put back.
 */
export async function pullRequestFlow(wiring: PullRequestWiring): Promise<PullRequestFlow> {
  const before = await changedBefore(wiring);
  const [owner = '', repo = ''] = wiring.repository.split('/');
  const host = new GithubPullRequestHost(wiring.octokit, { owner, repo });
  const changedSince = async () =>
    (await workspaceChanges(wiring.workspace)).filter((c) => !before.has(c.path));

  const putBackChanges = async (patrol: Patrol) => {
    if (patrol.pullRequest === undefined) return;
    await putBack(wiring.workspace, await changedSince());
  };
  return {
    prepare: putBackChanges,
    discard: putBackChanges,
    async afterRun(patrol, context) {
      if (patrol.pullRequest === undefined) return null;
      const changes = await changedSince();
      try {
        const result = await proposeChanges({
          table: wiring.table,
          patrol,
          changes,
          host,
          run: { slot: context.slot, fencingToken: context.fencingToken, url: wiring.runUrl },
          log: wiring.log,
        });
        return describeProposal(result);
      } finally {
        await putBack(wiring.workspace, changes);
      }
    },
  };
}

/** Paths already changed in the workspace, which no patrol's proposal may carry. */
async function changedBefore(wiring: PullRequestWiring): Promise<Set<string>> {
  try {
    return new Set((await workspaceChanges(wiring.workspace)).map((c) => c.path));
  } catch (error: unknown) {
    wiring.log.warn(
      `the workspace is not a git checkout, so patrols cannot propose pull requests ` +
        `(${error instanceof Error ? error.message : String(error)})`,
    );
    return new Set();
  }
}

/** Undo a run's changes: tracked files back to the checked-out commit, new files gone. */
async function putBack(workspace: string, changes: FileChange[]): Promise<void> {
  if (changes.length === 0) return;
  const { stdout } = await git('git', ['rev-parse', '--show-toplevel'], { cwd: workspace });
  const root = stdout.trim();
  const paths = changes.map((c) => c.path);
  const tracked = (await git('git', ['ls-files', '-z', '--', ...paths], { cwd: root })).stdout
    .split('\0')
    .filter((p) => p !== '');
  if (tracked.length > 0) await git('git', ['checkout', 'HEAD', '--', ...tracked], { cwd: root });
  const created = paths.filter((p) => !tracked.includes(p));
  await Promise.all(created.map((p) => rm(join(root, p), { force: true })));
}

export function describeProposal(result: ProposeResult): string | null {
  switch (result.action) {
    case 'none':
      return null;
    case 'created':
      return `opened pull request #${result.number} (${result.files.length} file(s))`;
    case 'updated':
      return `updated pull request #${result.number} (${result.files.length} file(s))`;
    case 'unchanged':
      return `pull request #${result.number} already proposes this change`;
    case 'closed':
      return `closed pull request #${result.number}: the run changed nothing`;
    case 'declined':
      return `pull request #${result.number} with this change was closed by someone; not proposed again`;
  }
}
