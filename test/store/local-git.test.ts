import { mkdir, readdir, realpath, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { LocalGitStore } from '../../src/store/local-git.js';
import { StoreError } from '../../src/store/types.js';
import type { LedgerCommit, WriteResult } from '../../src/store/types.js';
import { git, temporaryDirectory } from './git-helpers.js';

const LEDGER = 'refs/cronwarden/nightly';

let temp: { path: string; remove(): Promise<void> };

beforeEach(async () => {
  temp = await temporaryDirectory();
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await temp.remove();
});

function tipOf(result: WriteResult): string {
  if (!result.ok) throw new Error(`expected a successful write, got ${result.reason}`);
  return result.tip;
}

async function collect(store: LocalGitStore, ref: string, limit?: number) {
  const commits: LedgerCommit[] = [];
  for await (const commit of store.history(ref, limit === undefined ? {} : { limit })) {
    commits.push(commit);
  }
  return commits;
}

async function bareStore(): Promise<{ store: LocalGitStore; repository: string }> {
  const repository = path.join(temp.path, 'ledger.git');
  return { store: await LocalGitStore.open(repository, { createBare: true }), repository };
}

describe('LocalGitStore.open', () => {
  it('creates a bare repository where none exists, when asked', async () => {
    const repository = path.join(temp.path, 'nested', 'ledger.git');

    const store = await LocalGitStore.open(repository, { createBare: true });

    expect(store.description).toBe(`git:${repository}`);
    expect((await git(repository, ['rev-parse', '--is-bare-repository'])).trim()).toBe('true');
  });

  it('turns an empty directory into a bare repository, when asked', async () => {
    await LocalGitStore.open(temp.path, { createBare: true });

    expect((await git(temp.path, ['rev-parse', '--is-bare-repository'])).trim()).toBe('true');
  });

  it('opens a work tree and writes into its repository', async () => {
    await git(temp.path, ['init', '--quiet']);
    const store = await LocalGitStore.open(temp.path, { createBare: false });

    const tip = tipOf(await store.create(LEDGER, 'in the work tree'));

    expect((await git(temp.path, ['rev-parse', LEDGER])).trim()).toBe(tip);
  });

  it('opens the git directory of a work tree', async () => {
    await git(temp.path, ['init', '--quiet']);
    const store = await LocalGitStore.open(path.join(temp.path, '.git'), { createBare: false });

    const tip = tipOf(await store.create(LEDGER, 'x'));

    expect((await git(temp.path, ['rev-parse', LEDGER])).trim()).toBe(tip);
  });

  it('opens an existing bare repository without createBare', async () => {
    const { repository } = await bareStore();

    await expect(LocalGitStore.open(repository, { createBare: false })).resolves.toBeDefined();
  });

  it.each([
    ['an absent path', async (root: string) => path.join(root, 'missing')],
    ['a plain directory', async (root: string) => root],
    [
      'a file',
      async (root: string) => {
        await writeFile(path.join(root, 'file'), 'x');
        return path.join(root, 'file');
      },
    ],
    [
      'a directory inside a work tree',
      async (root: string) => {
        await git(root, ['init', '--quiet']);
        await mkdir(path.join(root, 'src'));
        return path.join(root, 'src');
      },
    ],
  ])('refuses %s without createBare, naming it', async (_name, prepare) => {
    const target = await prepare(temp.path);

    const opening = LocalGitStore.open(target, { createBare: false });

    await expect(opening).rejects.toThrow(StoreError);
    await expect(opening).rejects.toThrow(target);
  });

  it('never initialises a non-empty directory that is not a repository', async () => {
    await writeFile(path.join(temp.path, 'notes.txt'), 'mine');

    const opening = LocalGitStore.open(temp.path, { createBare: true });

    await expect(opening).rejects.toThrow(/not empty/);
    expect(await readdir(temp.path)).toEqual(['notes.txt']);
  });
});

describe('LocalGitStore.discover', () => {
  it('finds the work tree that contains a directory', async () => {
    await git(temp.path, ['init', '--quiet']);
    await mkdir(path.join(temp.path, 'deep', 'er'), { recursive: true });

    const store = await LocalGitStore.discover(path.join(temp.path, 'deep', 'er'));

    expect(store?.description).toBe(`git:${await realpath(temp.path)}`);
  });

  it('finds a bare repository from inside it', async () => {
    const { repository } = await bareStore();

    const store = await LocalGitStore.discover(path.join(repository, 'refs'));

    expect(store?.description).toBe(`git:${await realpath(repository)}`);
  });

  it('answers null outside any repository', async () => {
    vi.stubEnv('GIT_CEILING_DIRECTORIES', path.dirname(temp.path));

    expect(await LocalGitStore.discover(temp.path)).toBeNull();
  });
});

describe('LocalGitStore commits', () => {
  it('are root and child commits on the empty tree by Cronwarden', async () => {
    const { store, repository } = await bareStore();
    const first = tipOf(await store.create(LEDGER, 'first\n'));
    const second = tipOf(await store.swap(LEDGER, first, 'second\n'));

    const raw = await git(repository, ['cat-file', 'commit', second]);
    const emptyTree = (await git(repository, ['hash-object', '-t', 'tree', '--stdin'], '')).trim();

    expect(raw).toMatch(new RegExp(`^tree ${emptyTree}\nparent ${first}\n`));
    expect(raw).toMatch(/\nauthor Cronwarden <cronwarden@localhost> \d+ [+-]\d{4}\n/);
    expect(raw).toMatch(/\ncommitter Cronwarden <cronwarden@localhost> \d+ [+-]\d{4}\n/);
    expect(raw.endsWith('\n\nsecond\n')).toBe(true);
    await git(repository, ['fsck', '--strict', '--no-dangling']);
  });

  it('ignore the user git configuration and a stray GIT_DIR', async () => {
    const { store, repository } = await bareStore();
    const config = path.join(temp.path, 'gitconfig');
    await writeFile(
      config,
      [
        '[user]',
        '  name = Somebody Else',
        '  email = else@example.invalid',
        '  signingkey = NO-SUCH-KEY',
        '[commit]',
        '  gpgsign = true',
        '[gpg]',
        '  program = false',
        '[i18n]',
        '  commitEncoding = ISO-8859-1',
        '',
      ].join('\n'),
    );
    vi.stubEnv('GIT_CONFIG_GLOBAL', config);
    vi.stubEnv('GIT_DIR', path.join(temp.path, 'elsewhere'));
    vi.stubEnv('LANG', 'de_DE.UTF-8');

    const tip = tipOf(await store.create(LEDGER, 'grüße'));

    vi.unstubAllEnvs();
    const raw = await git(repository, ['cat-file', 'commit', tip]);
    expect(raw).toContain('author Cronwarden <cronwarden@localhost>');
    expect(raw).not.toMatch(/^(gpgsig|encoding) /m);
    expect((await store.read(LEDGER)).tip?.message).toBe('grüße');
  });

  it('reads a message after multi-line headers written by other tools', async () => {
    const { store, repository } = await bareStore();
    const emptyTree = (
      await git(repository, ['hash-object', '-t', 'tree', '-w', '--stdin'], '')
    ).trim();
    const commit = [
      `tree ${emptyTree}`,
      'author A <a@example.invalid> 1700000000 +0000',
      'committer A <a@example.invalid> 1700000000 +0000',
      'gpgsig -----BEGIN PGP SIGNATURE-----',
      ' ',
      ' abc',
      ' -----END PGP SIGNATURE-----',
      '',
      '{"after":"headers"}',
    ].join('\n');
    const sha = (
      await git(repository, ['hash-object', '-t', 'commit', '-w', '--stdin', '--literally'], commit)
    ).trim();
    await git(repository, ['update-ref', LEDGER, sha]);

    expect((await store.read(LEDGER)).tip).toEqual({ sha, message: '{"after":"headers"}' });
  });
});

describe('LocalGitStore under contention and damage', () => {
  it('lets one of 20 stores on one repository win each round of swaps', async () => {
    const { store, repository } = await bareStore();
    const stores = await Promise.all(
      Array.from({ length: 20 }, () => LocalGitStore.open(repository, { createBare: false })),
    );
    let tip = tipOf(await store.create(LEDGER, 'round 0'));

    for (let round = 1; round <= 3; round += 1) {
      const from = tip;
      const results = await Promise.all(
        stores.map((each, index) => each.swap(LEDGER, from, `round ${round} writer ${index}`)),
      );
      const winners = results.filter((result) => result.ok);

      expect(winners).toHaveLength(1);
      expect(results.filter((result) => !result.ok && result.reason === 'conflict')).toHaveLength(
        19,
      );
      tip = tipOf(winners[0] as WriteResult);
      expect((await store.read(LEDGER)).tip?.sha).toBe(tip);
    }
    expect(await collect(store, LEDGER)).toHaveLength(4);
  });

  it('counts a ref lock held by another writer as a lost race', async () => {
    const { store, repository } = await bareStore();
    const first = tipOf(await store.create(LEDGER, 'first'));
    await writeFile(path.join(repository, `${LEDGER}.lock`), '');

    expect(await store.swap(LEDGER, first, 'second')).toEqual({ ok: false, reason: 'conflict' });
    await mkdir(path.join(repository, 'refs', 'cronwarden'), { recursive: true });
    await writeFile(path.join(repository, 'refs/cronwarden/fresh.lock'), '');
    expect(await store.create('refs/cronwarden/fresh', 'x')).toEqual({
      ok: false,
      reason: 'exists',
    });
  });

  it('reports a lock left behind by a dead git process as a StoreError naming it', async () => {
    const { store, repository } = await bareStore();
    const first = tipOf(await store.create(LEDGER, 'first'));
    const lock = path.join(repository, `${LEDGER}.lock`);
    await writeFile(lock, '');
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await utimes(lock, longAgo, longAgo);

    await expect(store.swap(LEDGER, first, 'second')).rejects.toThrow(
      expect.objectContaining({ name: 'StoreError', message: expect.stringContaining(lock) }),
    );
  });

  it('keeps working after its refs are packed', async () => {
    const { store, repository } = await bareStore();
    const first = tipOf(await store.create(LEDGER, 'first'));
    await git(repository, ['pack-refs', '--all']);

    expect((await store.read(LEDGER)).tip?.sha).toBe(first);
    expect(await store.create(LEDGER, 'again')).toEqual({ ok: false, reason: 'exists' });
    const second = tipOf(await store.swap(LEDGER, first, 'second'));
    expect(await store.swap(LEDGER, first, 'late')).toEqual({ ok: false, reason: 'conflict' });
    expect((await store.read(LEDGER)).tip?.sha).toBe(second);
  });

  it('refuses a ledger ref that points at something other than a commit', async () => {
    const { store, repository } = await bareStore();
    const blob = (await git(repository, ['hash-object', '-w', '--stdin'], 'not a commit')).trim();
    await git(repository, ['update-ref', LEDGER, blob]);

    await expect(store.read(LEDGER)).rejects.toThrow(/points at a blob/);
  });
});

describe('LocalGitStore history', () => {
  /** Writes `count` ledger commits with git fast-import, plus a merge from a side ref. */
  async function longLedger(repository: string, count: number): Promise<void> {
    const message = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
    const committer = (index: number) => `committer T <t@example.invalid> ${1e9 + index} +0000\n`;
    let stream = `commit refs/cronwarden/side\nmark :999999\n${committer(0)}${message('side')}\n`;
    for (let index = 0; index < count; index += 1) {
      stream += `commit ${LEDGER}\nmark :${index + 1}\n${committer(index)}`;
      stream += message(`state ${index}`);
      if (index === count / 2) stream += 'merge :999999\n';
      stream += '\n';
    }
    await git(repository, ['fast-import', '--quiet'], stream);
  }

  it('streams thousands of commits newest first along first parents', async () => {
    const { store, repository } = await bareStore();
    await longLedger(repository, 3000);

    const messages = (await collect(store, LEDGER)).map((commit) => commit.message);

    expect(messages).toHaveLength(3000);
    expect(messages.slice(0, 2)).toEqual(['state 2999', 'state 2998']);
    expect(messages.at(-1)).toBe('state 0');
    expect(messages).not.toContain('side');
  });

  it('honours a limit that falls inside a page', async () => {
    const { store, repository } = await bareStore();
    await longLedger(repository, 600);

    const commits = await collect(store, LEDGER, 300);

    expect(commits.map((commit) => commit.message)).toEqual(
      Array.from({ length: 300 }, (_, index) => `state ${599 - index}`),
    );
    const shas = (await git(repository, ['rev-list', '--first-parent', '-n', '300', LEDGER]))
      .trim()
      .split('\n');
    expect(commits.map((commit) => commit.sha)).toEqual(shas);
  });
});
