import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { PullRequestSpec } from '../../src/config/types.js';
import { GithubPullRequestHost } from '../../src/report/github-pull-host.js';
import { proposeChanges, workspaceChanges } from '../../src/report/pull-request.js';
import { startEmulator, type Emulator } from '../support/emulator/index.js';
import { at, patrol, patrolTable } from './fixtures.js';

const exec = promisify(execFile);
const REPO = 'acme/ops';
const WHERE = { owner: 'acme', repo: 'ops' };
const SPEC: PullRequestSpec = {
  branch: 'cronwarden/deps',
  title: 'Refresh the lock file',
  body: 'Proposed weekly.',
  labels: ['dependencies'],
  base: undefined,
};

let emu: Emulator;
let workspace: string;
let host: GithubPullRequestHost;

async function git(args: string[]): Promise<string> {
  const env = {
    ...process.env,
    GIT_DIR: undefined,
    GIT_AUTHOR_NAME: 'Tester',
    GIT_AUTHOR_EMAIL: 'tester@example.invalid',
    GIT_COMMITTER_NAME: 'Tester',
    GIT_COMMITTER_EMAIL: 'tester@example.invalid',
  };
  return (await exec('git', args, { cwd: workspace, env })).stdout;
}

beforeEach(async () => {
  emu = await startEmulator({ now: new Date('2031-03-03T00:00:00Z') });
  emu.addRepo(REPO);
  emu.addToken('bot', {
    login: 'github-actions[bot]',
    type: 'Bot',
    permissions: { contents: 'write', pull_requests: 'write', issues: 'write' },
    canCreateLabels: true,
  });
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  host = new GithubPullRequestHost(
    new Octokit({ baseUrl: emu.url, auth: 'bot', log: quiet }),
    WHERE,
  );

  // A checkout of the repository as the runner has it: the same files as main.
  workspace = await mkdtemp(path.join(tmpdir(), 'cronwarden-pr-'));
  await git(['init', '-q', '-b', 'main']);
  await writeFile(path.join(workspace, 'README.md'), '# ops\n');
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'initial']);
});

afterEach(async () => {
  await emu.close();
  await rm(workspace, { recursive: true, force: true });
});

async function patrolRun(fencingToken: number) {
  const deps = patrol({ id: 'deps', pullRequest: SPEC });
  return proposeChanges({
    table: patrolTable([deps]),
    patrol: deps,
    changes: await workspaceChanges(workspace),
    host,
    run: { slot: at(fencingToken * 60_000), fencingToken },
  });
}

describe('the pull request flow against the emulator', () => {
  it('opens one pull request for an edit, and updates it after another edit', async () => {
    await writeFile(path.join(workspace, 'deps.lock'), 'left-pad 1.0.0\n');
    const first = await patrolRun(1);
    expect(first).toMatchObject({ action: 'created', files: ['deps.lock'] });
    expect(emu.files(REPO, 'refs/heads/cronwarden/deps')).toEqual({
      'README.md': '# ops\n',
      'deps.lock': 'left-pad 1.0.0\n',
    });

    await writeFile(path.join(workspace, 'deps.lock'), 'left-pad 1.0.1\n');
    const second = await patrolRun(2);
    expect(second).toMatchObject({
      action: 'updated',
      number: (first as { number: number }).number,
    });

    const pulls = emu.pulls(REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ head: 'acme:cronwarden/deps', base: 'main', state: 'open' });
    expect(pulls[0]!.labels).toEqual(['dependencies']);
    expect(pulls[0]!.body).toContain('lease 2');
    expect(emu.files(REPO, 'refs/heads/cronwarden/deps')).toMatchObject({
      'deps.lock': 'left-pad 1.0.1\n',
    });
  });

  it('closes the pull request when the change is gone', async () => {
    await writeFile(path.join(workspace, 'deps.lock'), 'x\n');
    await patrolRun(1);
    await unlink(path.join(workspace, 'deps.lock'));
    expect(await patrolRun(2)).toMatchObject({ action: 'closed' });
    expect(emu.pulls(REPO)[0]!.state).toBe('closed');
    expect(emu.comments(REPO, emu.pulls(REPO)[0]!.number)[0]!.body).toContain('changed nothing');
  });

  it('updates the open one when another run opened it first (422 already exists)', async () => {
    await writeFile(path.join(workspace, 'deps.lock'), 'x\n');
    const first = await patrolRun(1);
    // A second run that did not see the open pull request would create one: GitHub says 422.
    await expect(
      host.createPull({ title: 't', body: 'b', branch: SPEC.branch, base: 'main' }),
    ).rejects.toThrow(/is open already/);
    expect(await patrolRun(2)).toMatchObject({
      action: 'unchanged',
      number: (first as { number: number }).number,
    });
  });

  it('reads deletions, modes and links from the workspace', async () => {
    await writeFile(path.join(workspace, 'run.sh'), '#!/bin/sh\necho hi\n');
    await chmod(path.join(workspace, 'run.sh'), 0o755);
    await symlink('README.md', path.join(workspace, 'link'));
    await unlink(path.join(workspace, 'README.md'));
    const changes = await workspaceChanges(path.join(workspace));

    expect(changes.map((c) => [c.path, c.kind, c.kind === 'write' ? c.mode : '-'])).toEqual([
      ['README.md', 'delete', '-'],
      ['link', 'write', '120000'],
      ['run.sh', 'write', '100755'],
    ]);
    await patrolRun(1);
    const head = emu.commit(REPO, emu.refs(REPO)['refs/heads/cronwarden/deps']!);
    const tree = emu.tree(REPO, head!.tree);
    expect(tree?.map((e) => [e.path, e.mode])).toEqual([
      ['link', '120000'],
      ['run.sh', '100755'],
    ]);
  });
});
