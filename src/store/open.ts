import path from 'node:path';

import { LocalGitStore } from './local-git.js';
import { MemoryStore } from './memory.js';
import { StoreError } from './types.js';
import type { LedgerStore } from './types.js';

export interface OpenStoreOptions {
  /**
   * Create a bare repository for "git:PATH" when PATH is absent or empty (the default).
   * Commands that only read pass false, so a mistyped path is reported, not created.
   */
  create?: boolean;
}

/**
 * The store spec itself is malformed (an unknown scheme, a missing path): a mistake on the
 * command line, unlike a StoreError, which says a well-formed store could not be used.
 */
export class StoreSpecError extends Error {
  override name = 'StoreSpecError';
}

type StoreOpener = (rest: string, cwd: string, options: OpenStoreOptions) => Promise<LedgerStore>;

/** Store specs by scheme: the text before the first colon. A new kind of store adds one. */
const OPENERS: Record<string, StoreOpener> = {
  git: openGit,
  memory: openMemory,
};

const ACCEPTED_FORMS =
  '"git:PATH" (a local repository, created bare when absent), "memory:" (in this process ' +
  'only), or no --store to use the git repository of the working directory';

/**
 * SPEC: "git:PATH" (created bare if absent, unless `create` is false), "memory:" (fresh,
 * in-process), or undefined: the git repository containing `cwd`, else a StoreError that
 * says to run inside a git repository or pass --store git:PATH. A relative PATH is taken
 * from `cwd`. A malformed SPEC is a StoreSpecError.
 */
export async function openStore(
  spec: string | undefined,
  cwd: string,
  options: OpenStoreOptions = {},
): Promise<LedgerStore> {
  if (spec === undefined) return openEnclosingRepository(cwd);

  const colon = spec.indexOf(':');
  const scheme = colon > 0 ? spec.slice(0, colon) : undefined;
  const opener =
    scheme !== undefined && Object.hasOwn(OPENERS, scheme) ? OPENERS[scheme] : undefined;
  if (opener === undefined) {
    throw new StoreSpecError(`Unknown store ${JSON.stringify(spec)}: use ${ACCEPTED_FORMS}`);
  }
  return opener(spec.slice(colon + 1), cwd, options);
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

async function openGit(
  repositoryPath: string,
  cwd: string,
  options: OpenStoreOptions,
): Promise<LedgerStore> {
  if (repositoryPath === '') {
    throw new StoreSpecError('The store "git:" needs a path, as in git:./ledger.git');
  }
  const createBare = options.create ?? true;
  return LocalGitStore.open(path.resolve(cwd, repositoryPath), { createBare });
}

async function openMemory(rest: string): Promise<LedgerStore> {
  if (rest !== '') {
    throw new StoreSpecError(
      `The store "memory:" takes nothing after the colon, got ${JSON.stringify(rest)}`,
    );
  }
  return new MemoryStore();
}
