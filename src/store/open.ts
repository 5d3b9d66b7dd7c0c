import path from 'node:path';

import { LocalGitStore } from './local-git.js';
import { MemoryStore } from './memory.js';
import { StoreError } from './types.js';
import type { LedgerStore } from './types.js';

type StoreOpener = (rest: string, cwd: string) => Promise<LedgerStore>;

/** Store specs by scheme: the text before the first colon. A new kind of store adds one. */
const OPENERS: Record<string, StoreOpener> = {
  git: openGit,
  memory: openMemory,
};

const ACCEPTED_FORMS =
  '"git:PATH" (a local repository, created bare when absent), "memory:" (in this process ' +
  'only), or no --store to use the git repository of the working directory';

/**
 * SPEC: "git:PATH" (created bare if absent), "memory:" (fresh, in-process), or undefined:
 * the git repository containing `cwd`, else a StoreError that says to run inside a git
 * repository or pass --store git:PATH. A relative PATH is taken from `cwd`.
 */
export async function openStore(spec: string | undefined, cwd: string): Promise<LedgerStore> {
  if (spec === undefined) return openEnclosingRepository(cwd);

  const colon = spec.indexOf(':');
  const opener = colon > 0 ? OPENERS[spec.slice(0, colon)] : undefined;
  if (opener === undefined) {
    throw new StoreError(`Unknown store ${JSON.stringify(spec)}: use ${ACCEPTED_FORMS}`);
  }
  return opener(spec.slice(colon + 1), cwd);
}

async function openEnclosingRepository(cwd: string): Promise<LedgerStore> {
  const store = await LocalGitStore.discover(cwd);
  if (store === null) {
    throw new StoreError(
      `${cwd} is not inside a git repository: run inside one, or pass --store git:PATH`,
    );
  }
  return store;
}

async function openGit(repositoryPath: string, cwd: string): Promise<LedgerStore> {
  if (repositoryPath === '') {
    throw new StoreError('The store "git:" needs a path, as in git:./ledger.git');
  }
  return LocalGitStore.open(path.resolve(cwd, repositoryPath), { createBare: true });
}

async function openMemory(rest: string): Promise<LedgerStore> {
  if (rest !== '') {
    throw new StoreError(`The store "memory:" takes nothing after the colon, got "${rest}"`);
  }
  return new MemoryStore();
}
