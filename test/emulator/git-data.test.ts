import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { EMPTY_TREE_SHA, startEmulator } from '../support/emulator/index.js';
import { ALL_WRITE, client, failure, R, REPO, setup, T0, TOKEN } from './helpers.js';
import type { Setup } from './helpers.js';

let s: Setup;

beforeEach(async () => {
  s = await setup();
});

afterEach(async () => {
  await s.emu.close();
});

describe('git object ids', () => {
  // The ids below are what `git hash-object`, `git write-tree` and `git commit-tree`
  // compute for the same content, so the emulator hands out GitHub's ids.
  it('gives a blob the id git gives it', async () => {
    const blob = await s.octokit.git.createBlob({ ...R, content: 'hello\n' });

    expect(blob.status).toBe(201);
    expect(blob.data.sha).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('accepts base64 content and answers blobs in base64', async () => {
    const sha = (await s.octokit.git.createBlob({ ...R, content: 'aGVsbG8K', encoding: 'base64' }))
      .data.sha;
    const blob = await s.octokit.git.getBlob({ ...R, file_sha: sha });

    expect(sha).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(blob.data).toMatchObject({ encoding: 'base64', size: 6, content: 'aGVsbG8K\n' });
  });

  it('gives nested trees and commits the ids git gives them', async () => {
    const tree = await s.octokit.git.createTree({
      ...R,
      tree: [
        { path: 'hello.txt', mode: '100644', type: 'blob', content: 'hello\n' },
        { path: 'a/b/c.txt', mode: '100644', type: 'blob', content: 'deep\n' },
        { path: 'a-b', mode: '100644', type: 'blob', content: 'x' },
      ],
    });
    const commit = await s.octokit.git.createCommit({
      ...R,
      message: 'ledger: tick\n',
      tree: tree.data.sha,
      author: { name: 'Ann', email: 'ann@example.com', date: '2023-11-15T00:13:20+02:00' },
      committer: { name: 'Bob', email: 'bob@example.com', date: '2023-11-14T22:15:00Z' },
    });

    expect(tree.data.sha).toBe('11b4f596158cb714a5d11647765a2e5581526b2e');
    expect(commit.status).toBe(201);
    expect(commit.data.sha).toBe('8013153e7bda3875d0d8e4a67d654fe8f99a89ea');
  });
});

describe('trees', () => {
  it('builds on a base tree, deletes with a null sha and lists recursively', async () => {
    const base = await s.octokit.git.createTree({
      ...R,
      tree: [
        { path: 'keep.txt', mode: '100644', type: 'blob', content: 'keep' },
        { path: 'dir/gone.txt', mode: '100644', type: 'blob', content: 'gone' },
        { path: 'dir/sub/stay.txt', mode: '100644', type: 'blob', content: 'stay' },
      ],
    });
    const next = await s.octokit.git.createTree({
      ...R,
      base_tree: base.data.sha,
      tree: [
        { path: 'dir/gone.txt', mode: '100644', type: 'blob', sha: null },
        { path: 'new.txt', mode: '100644', type: 'blob', content: 'new' },
      ],
    });
    const listed = await s.octokit.git.getTree({ ...R, tree_sha: next.data.sha, recursive: '1' });

    expect(listed.data.tree.map((e) => `${e.type} ${e.path}`)).toEqual([
      'tree dir',
      'tree dir/sub',
      'blob dir/sub/stay.txt',
      'blob keep.txt',
      'blob new.txt',
    ]);
    expect(s.emu.files(REPO, next.data.sha)).toEqual({
      'dir/sub/stay.txt': 'stay',
      'keep.txt': 'keep',
      'new.txt': 'new',
    });
  });

  it('lists one level without recursive', async () => {
    const tree = await s.octokit.git.createTree({
      ...R,
      tree: [{ path: 'a/b.txt', mode: '100644', type: 'blob', content: 'b' }],
    });
    const listed = await s.octokit.git.getTree({ ...R, tree_sha: tree.data.sha });

    expect(listed.data.tree).toHaveLength(1);
    expect(listed.data.tree[0]).toMatchObject({ path: 'a', type: 'tree', mode: '040000' });
  });

  it('refuses a base tree that is not a tree', async () => {
    const f = await failure(
      s.octokit.git.createTree({
        ...R,
        base_tree: '0'.repeat(40),
        tree: [{ path: 'x', mode: '100644', type: 'blob', content: 'x' }],
      }),
    );

    expect(f.status).toBe(422);
    expect(f.data.message).toBe('base_tree is not a valid tree oid');
  });

  it('refuses to delete a path the base tree does not have', async () => {
    const base = await s.octokit.git.createTree({
      ...R,
      tree: [{ path: 'x', mode: '100644', type: 'blob', content: 'x' }],
    });
    const f = await failure(
      s.octokit.git.createTree({
        ...R,
        base_tree: base.data.sha,
        tree: [{ path: 'missing', mode: '100644', type: 'blob', sha: null }],
      }),
    );

    expect(f.status).toBe(422);
  });
});

describe('commits', () => {
  it('answers the commit with its tree, parents, author and html_url', async () => {
    const main = await s.octokit.git.getRef({ ...R, ref: 'heads/main' });
    const parent = main.data.object.sha;
    const tree = await s.octokit.git.createTree({
      ...R,
      tree: [{ path: 'f', mode: '100644', type: 'blob', content: 'f' }],
    });
    const made = await s.octokit.git.createCommit({
      ...R,
      message: 'second',
      tree: tree.data.sha,
      parents: [parent],
    });
    const read = await s.octokit.git.getCommit({ ...R, commit_sha: made.data.sha });

    expect(read.data).toMatchObject({
      sha: made.data.sha,
      message: 'second',
      tree: { sha: tree.data.sha },
      parents: [{ sha: parent }],
      author: { name: 'cronwarden[bot]', date: '2025-03-01T12:00:00Z' },
      html_url: `https://github.com/${REPO}/commit/${made.data.sha}`,
    });
    expect(s.emu.commit(REPO, made.data.sha)?.parents).toEqual([parent]);
  });

  it.each([
    ['a tree the repository does not have', { tree: 'f'.repeat(40) }, 'Tree SHA does not exist'],
    [
      'a parent the repository does not have',
      { parents: ['e'.repeat(40)] },
      'Parent SHA does not exist or is not a commit object',
    ],
  ])('refuses %s with 422', async (_name, change, message) => {
    const tree = await s.octokit.git.createTree({
      ...R,
      tree: [{ path: 'f', mode: '100644', type: 'blob', content: 'f' }],
    });
    const f = await failure(
      s.octokit.git.createCommit({ ...R, message: 'm', tree: tree.data.sha, ...change }),
    );

    expect(f.status).toBe(422);
    expect(f.data.message).toBe(message);
  });

  it('fails with 500 on the well-known empty tree, as GitHub now does', async () => {
    const f = await failure(
      s.octokit.git.createCommit({ ...R, message: 'm', tree: EMPTY_TREE_SHA }),
    );

    expect(f.status).toBe(500);
  });
});

describe('an empty repository', () => {
  it('refuses git data writes and ref reads with 409 "Git Repository is empty."', async () => {
    const emu = await startEmulator({ now: T0 });
    emu.addRepo('octo-org/blank', { empty: true });
    emu.addToken(TOKEN, { login: 'u', permissions: ALL_WRITE });
    const octokit = client(emu);
    const r = { owner: 'octo-org', repo: 'blank' };

    const attempts = [
      () => octokit.git.createBlob({ ...r, content: 'x' }),
      () => octokit.git.createRef({ ...r, ref: 'refs/cronwarden/x', sha: 'a'.repeat(40) }),
      () => octokit.git.getRef({ ...r, ref: 'heads/main' }),
    ];
    for (const attempt of attempts) {
      const f = await failure(attempt());
      expect(f.status).toBe(409);
      expect(f.data.message).toBe('Git Repository is empty.');
    }
    const repo = await octokit.repos.get(r);
    expect(repo.data).toMatchObject({ full_name: 'octo-org/blank', default_branch: 'main' });
    await emu.close();
  });
});

describe('a new repository', () => {
  it('has an initial commit with a README on its default branch', async () => {
    const emu = await startEmulator({ now: T0 });
    emu.addRepo('octo-org/trunk', { defaultBranch: 'trunk' });
    const tip = emu.refs('octo-org/trunk')['refs/heads/trunk'] as string;

    expect(Object.keys(emu.refs('octo-org/trunk'))).toEqual(['refs/heads/trunk']);
    expect(emu.files('octo-org/trunk', tip)).toEqual({ 'README.md': '# trunk\n' });
    await emu.close();
  });
});
