import { describe, expect, it } from 'vitest';

import type { PullRequestSpec } from '../../src/config/types.js';
import {
  changedPaths,
  proposeChanges,
  PullRequestConfigError,
  type FileChange,
} from '../../src/report/pull-request.js';
import { FakePullHost } from './fake-pull-host.js';
import { at, patrol, patrolTable } from './fixtures.js';

const SPEC: PullRequestSpec = {
  branch: 'cronwarden/deps',
  title: 'Update pinned dependencies',
  body: 'Weekly refresh of the lock file.',
  labels: ['dependencies'],
  base: undefined,
};

const write = (path: string, text: string): FileChange => ({
  path,
  kind: 'write',
  mode: '100644',
  content: Buffer.from(text),
});

function propose(host: FakePullHost, changes: FileChange[], spec: Partial<PullRequestSpec> = {}) {
  const deps = patrol({ id: 'deps', pullRequest: { ...SPEC, ...spec } });
  return proposeChanges({
    table: patrolTable([deps]),
    patrol: deps,
    changes,
    host,
    run: { slot: at(0), fencingToken: 4, url: 'https://example.test/run/1' },
  });
}

describe('pull requests from patrols', () => {
  it('opens one pull request for a change, and updates it for the next change', async () => {
    const host = new FakePullHost();
    const first = await propose(host, [write('deps.lock', 'v1\n')]);
    expect(first).toMatchObject({ action: 'created', number: 1, files: ['deps.lock'] });
    expect(host.files('cronwarden/deps')).toEqual({ 'README.md': '# ops\n', 'deps.lock': 'v1\n' });
    expect(host.pulls[0]).toMatchObject({
      title: SPEC.title,
      base: 'main',
      labels: ['dependencies'],
    });
    expect(host.pulls[0]!.body).toMatch(/^Weekly refresh of the lock file\.\n\n---\n\nProposed by/);

    const second = await propose(host, [write('deps.lock', 'v2\n'), write('b.txt', 'b')]);
    expect(second).toMatchObject({ action: 'updated', number: 1, files: ['b.txt', 'deps.lock'] });
    expect(host.pulls).toHaveLength(1);
    expect(host.files('cronwarden/deps')).toMatchObject({ 'deps.lock': 'v2\n', 'b.txt': 'b' });
    // Always one commit on top of the base, never a growing pile.
    const head = host.commits.get(host.branches.get('cronwarden/deps')!)!;
    expect(head.parents).toEqual([host.branches.get('main')]);
  });

  it('writes nothing when the branch already holds the same change', async () => {
    const host = new FakePullHost();
    await propose(host, [write('deps.lock', 'v1\n')]);
    const writes = host.writes.length;
    const again = await propose(host, [write('deps.lock', 'v1\n')]);
    expect(again).toMatchObject({ action: 'unchanged', number: 1 });
    expect(host.writes.slice(writes)).toEqual(['blob', 'tree']);
  });

  it('rebases the change when the base branch moved', async () => {
    const host = new FakePullHost();
    await propose(host, [write('deps.lock', 'v1\n')]);
    host.push('main', { 'other.txt': 'x' });
    const again = await propose(host, [write('deps.lock', 'v1\n')]);
    expect(again).toMatchObject({ action: 'updated', number: 1 });
    expect(host.files('cronwarden/deps')).toMatchObject({ 'other.txt': 'x', 'deps.lock': 'v1\n' });
  });

  it('closes the open pull request with a comment when a run changes nothing', async () => {
    const host = new FakePullHost();
    await propose(host, [write('deps.lock', 'v1\n')]);
    const result = await propose(host, []);
    expect(result).toEqual({ action: 'closed', number: 1, url: 'https://example.test/pull/1' });
    expect(host.pulls[0]!.state).toBe('closed');
    expect(host.comments[0]!.body).toContain('changed nothing');
  });

  it('opens nothing when nothing changed', async () => {
    const host = new FakePullHost();
    expect(await propose(host, [])).toEqual({ action: 'none' });
    expect(await propose(host, [write('README.md', '# ops\n')])).toEqual({ action: 'none' });
    expect(host.pulls).toEqual([]);
    expect(host.branches.has('cronwarden/deps')).toBe(false);
  });

  it('updates the pull request a racing run opened first (422 already exists)', async () => {
    const host = new FakePullHost();
    host.raceOnCreate = true;
    const result = await propose(host, [write('deps.lock', 'v1\n')]);
    expect(result).toMatchObject({ action: 'updated', number: 1 });
    expect(host.pulls).toHaveLength(1);
    expect(host.pulls[0]!.title).toBe(SPEC.title);
  });

  it('does not reopen a change someone closed, but proposes a new change', async () => {
    const host = new FakePullHost();
    await propose(host, [write('deps.lock', 'v1\n')]);
    host.pulls[0]!.state = 'closed';
    expect(await propose(host, [write('deps.lock', 'v1\n')])).toMatchObject({
      action: 'declined',
      number: 1,
    });
    expect(await propose(host, [write('deps.lock', 'v2\n')])).toMatchObject({
      action: 'created',
      number: 2,
    });
  });

  it('deletes files the patrol deleted', async () => {
    const host = new FakePullHost({ 'README.md': 'r', 'old.txt': 'o' });
    await propose(host, [{ path: 'old.txt', kind: 'delete' }]);
    expect(host.files('cronwarden/deps')).toEqual({ 'README.md': 'r' });
  });

  it('refuses to commit to the base branch', async () => {
    const host = new FakePullHost();
    await expect(propose(host, [write('a', 'a')], { branch: 'main' })).rejects.toThrow(
      PullRequestConfigError,
    );
  });

  it('opens the pull request when labels cannot be added', async () => {
    const host = new FakePullHost();
    host.failLabels = true;
    expect(await propose(host, [write('a', 'a')])).toMatchObject({ action: 'created' });
  });

  it('does nothing for a patrol without a pull-request block', async () => {
    const host = new FakePullHost();
    const plain = patrol();
    const result = await proposeChanges({
      table: patrolTable([plain]),
      patrol: plain,
      changes: [write('a', 'a')],
      host,
      run: { slot: at(0), fencingToken: 1 },
    });
    expect(result).toEqual({ action: 'none' });
  });
});

describe('git status parsing', () => {
  it.each([
    [' M src/a.ts\0?? new file.txt\0 D gone.txt\0', ['gone.txt', 'new file.txt', 'src/a.ts']],
    ['R  new.txt\0old.txt\0A  added\0', ['added', 'new.txt', 'old.txt']],
    ['', []],
  ])('%j lists %j', (porcelain, paths) => {
    expect(changedPaths(porcelain)).toEqual(paths);
  });
});
