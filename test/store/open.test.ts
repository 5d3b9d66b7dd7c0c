import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { LocalGitStore } from '../../src/store/local-git.js';
import { MemoryStore } from '../../src/store/memory.js';
import { openStore, StoreSpecError } from '../../src/store/open.js';
import { StoreError } from '../../src/store/types.js';
import { git, temporaryDirectory } from './git-helpers.js';

let temp: { path: string; remove(): Promise<void> };

beforeEach(async () => {
  temp = await temporaryDirectory();
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await temp.remove();
});

describe('openStore', () => {
  it('opens a fresh in-process store for "memory:"', async () => {
    const one = await openStore('memory:', temp.path);
    const other = await openStore('memory:', temp.path);
    await one.create('refs/cronwarden/t', 'x');

    expect(one).toBeInstanceOf(MemoryStore);
    expect((await other.read('refs/cronwarden/t')).tip).toBeNull();
  });

  it('creates a bare repository for "git:PATH", relative to the working directory', async () => {
    const store = await openStore('git:ledgers/main.git', temp.path);

    const repository = path.join(temp.path, 'ledgers', 'main.git');
    expect(store).toBeInstanceOf(LocalGitStore);
    expect(store.description).toBe(`git:${repository}`);
    expect((await git(repository, ['rev-parse', '--is-bare-repository'])).trim()).toBe('true');
  });

  it('takes an absolute "git:PATH" as it is', async () => {
    const repository = path.join(temp.path, 'abs.git');

    const store = await openStore(`git:${repository}`, '/');

    expect(store.description).toBe(`git:${repository}`);
  });

  it('uses the repository around the working directory when no spec is given', async () => {
    await git(temp.path, ['init', '--quiet']);
    await mkdir(path.join(temp.path, 'patrols'));

    const store = await openStore(undefined, path.join(temp.path, 'patrols'));
    const written = await store.create('refs/cronwarden/t', 'x');

    expect(store.description).toBe(`git:${await realpath(temp.path)}`);
    expect(written.ok && (await git(temp.path, ['rev-parse', 'refs/cronwarden/t'])).trim()).toBe(
      written.ok && written.tip,
    );
  });

  it('says how to proceed when no spec is given outside any repository', async () => {
    vi.stubEnv('GIT_CEILING_DIRECTORIES', path.dirname(temp.path));

    const opening = openStore(undefined, temp.path);

    await expect(opening).rejects.toThrow(StoreError);
    await expect(opening).rejects.toThrow(/inside a git repository.*--store git:PATH/);
  });

  it.each(['github:owner/repo', 's3:bucket', 'ledger.git', ':x', ''])(
    'refuses the unknown spec %j, listing the accepted forms',
    async (spec) => {
      const opening = openStore(spec, temp.path);

      await expect(opening).rejects.toThrow(StoreSpecError);
      await expect(opening).rejects.toThrow(/"git:PATH".*"memory:"/);
    },
  );

  it.each([
    ['git:', /needs a path/],
    ['memory:extra', /takes nothing after the colon/],
  ])('refuses the malformed spec %j', async (spec, why) => {
    await expect(openStore(spec, temp.path)).rejects.toThrow(why);
  });
});
