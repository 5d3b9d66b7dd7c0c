import type * as fs from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { LocalGitStore } from '../../src/store/local-git.js';
import { openStore, StoreSpecError } from '../../src/store/open.js';
import { StoreError } from '../../src/store/types.js';
import { git, temporaryDirectory } from './git-helpers.js';

/*
 * The file system is wrapped so one test can make mkdir fail as it does for a user without
 * write access (tests here run as root, for whom permissions never fail).
 */
const failMkdir = vi.hoisted(() => ({ code: null as string | null }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  return {
    ...real,
    mkdir: (...args: Parameters<typeof real.mkdir>) => {
      if (failMkdir.code === null) return real.mkdir(...args);
      const error = Object.assign(new Error(`${failMkdir.code}: refused`), {
        code: failMkdir.code,
      });
      return Promise.reject(error);
    },
  };
});

let temp: { path: string; remove(): Promise<void> };

beforeEach(async () => {
  temp = await temporaryDirectory();
});

afterEach(async () => {
  failMkdir.code = null;
  vi.unstubAllEnvs();
  await temp.remove();
});

async function failure(opening: Promise<unknown>): Promise<Error> {
  return opening.then(
    () => {
      throw new Error('the store opened');
    },
    (error: unknown) => error as Error,
  );
}

describe('a repository git refuses for its owner', () => {
  // Git's own switch for this check: it treats every repository as another user's.
  beforeEach(() => vi.stubEnv('GIT_TEST_ASSUME_DIFFERENT_OWNER', '1'));

  it('is reported with what git said and the command that allows it', async () => {
    const repository = path.join(temp.path, 'ledger.git');
    vi.stubEnv('GIT_TEST_ASSUME_DIFFERENT_OWNER', '');
    await git(temp.path, ['init', '--bare', '--quiet', repository]);
    vi.stubEnv('GIT_TEST_ASSUME_DIFFERENT_OWNER', '1');

    const error = await failure(openStore(`git:${repository}`, temp.path));

    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toContain('dubious ownership');
    expect(error.message).toContain(`git config --global --add safe.directory ${repository}`);
    expect(error.message).not.toContain('not a git repository');
  });

  it('is reported when it is the repository around the working directory', async () => {
    vi.stubEnv('GIT_TEST_ASSUME_DIFFERENT_OWNER', '');
    await git(temp.path, ['init', '--quiet']);
    vi.stubEnv('GIT_TEST_ASSUME_DIFFERENT_OWNER', '1');

    const error = await failure(openStore(undefined, temp.path));

    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toContain('safe.directory');
    expect(error.message).not.toContain('not inside a git repository');
  });
});

describe('a store path that cannot be created', () => {
  it.each([
    ['EACCES', 'permission denied'],
    ['EROFS', 'the file system is read-only'],
  ])('is a StoreError naming the path when mkdir fails with %s', async (code, reason) => {
    const repository = path.join(temp.path, 'locked', 'new.git');
    failMkdir.code = code;

    const error = await failure(openStore(`git:${repository}`, temp.path));

    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toBe(`Cannot create a git store at ${repository}: ${reason}`);
  });
});

describe('opening a store without creating one', () => {
  it('reports a missing path as no repository, and creates nothing', async () => {
    const repository = path.join(temp.path, 'typo.git');

    const error = await failure(openStore(`git:${repository}`, temp.path, { create: false }));

    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toContain(`no repository at ${repository} (no such directory)`);
    await expect(git(temp.path, ['-C', repository, 'status'])).rejects.toThrow();
  });

  it('reports an empty directory as no repository, and leaves it empty', async () => {
    const repository = path.join(temp.path, 'empty');
    await mkdir(repository);

    const error = await failure(openStore(`git:${repository}`, temp.path, { create: false }));

    expect(error.message).toContain(`no repository at ${repository} (an empty directory)`);
  });

  it('opens a repository that exists', async () => {
    const repository = path.join(temp.path, 'ledger.git');
    await git(temp.path, ['init', '--bare', '--quiet', repository]);

    const store = await openStore(`git:${repository}`, temp.path, { create: false });

    expect(store).toBeInstanceOf(LocalGitStore);
  });

  it('still creates by default', async () => {
    const store = await openStore('git:new.git', temp.path);

    expect(store.description).toBe(`git:${path.join(temp.path, 'new.git')}`);
  });
});

describe('a malformed store spec', () => {
  it.each([
    ['an unknown scheme', 'gti:./ledger.git', 'Unknown store "gti:./ledger.git"'],
    ['no scheme at all', 'ledger.git', 'Unknown store "ledger.git"'],
    ['a scheme named like an object property', 'constructor:x', 'Unknown store'],
    ['git: without a path', 'git:', 'needs a path'],
    ['memory: with something after it', 'memory:x', 'takes nothing after the colon'],
  ])('is a StoreSpecError, not a StoreError: %s', async (_name, spec, message) => {
    const error = await failure(openStore(spec, temp.path));

    expect(error).toBeInstanceOf(StoreSpecError);
    expect(error).not.toBeInstanceOf(StoreError);
    expect(error.message).toContain(message);
  });
});
