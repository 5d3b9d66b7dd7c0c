import { spawn } from 'node:child_process';
import { mkdir, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

import { assertLedgerMessage, assertLedgerRef, historyLimit, isCommitId } from './rules.js';
import { StoreError } from './types.js';
import type { LedgerCommit, LedgerRead, LedgerStore, WriteResult } from './types.js';

export interface LocalGitStoreOptions {
  /** Create a bare repository at the path when there is none (the path absent or empty). */
  createBare: boolean;
  /** The store's clock; the local clock is the server here. */
  clock?: () => Date;
  /** Limit on each git command; a local git that hangs this long is broken. */
  gitTimeoutMs?: number;
}

const DEFAULT_GIT_TIMEOUT_MS = 30_000;

/** After a timeout git gets SIGTERM, which lets it remove its lock files, then SIGKILL. */
const GIT_KILL_GRACE_MS = 2_000;

/** Commits read per rev-list / cat-file round while walking history. */
const HISTORY_PAGE = 256;

/**
 * A ref lock older than this is not a concurrent writer (they hold it for milliseconds)
 * but the leftover of a git process that died; every write would lose to it forever.
 */
const STALE_LOCK_MS = 60_000;

/** Ledger commits carry this identity whatever the user's git config says. */
const COMMIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Cronwarden',
  GIT_AUTHOR_EMAIL: 'cronwarden@localhost',
  GIT_COMMITTER_NAME: 'Cronwarden',
  GIT_COMMITTER_EMAIL: 'cronwarden@localhost',
};

/** Variables that would point git at another repository than the one this store opened. */
const REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
];

/** Settings that would change the bytes of a commit or stop one being made unattended. */
const COMMIT_SETTINGS = ['-c', 'commit.gpgsign=false', '-c', 'i18n.commitEncoding=UTF-8'];

interface GitOutput {
  code: number | null;
  timedOut: boolean;
  stdout: Buffer;
  stderr: string;
}

interface GitObject {
  sha: string;
  type: string;
  content: Buffer;
}

/**
 * Ledgers in a git repository on this machine, written through git's plumbing.
 *
 * Atomicity comes from `git update-ref REF NEW OLD`: git takes the ref's lock file, checks
 * the old value under the lock and renames the new value into place, so of several
 * writers starting from one tip exactly one moves the ref.
 */
export class LocalGitStore implements LedgerStore {
  readonly description: string;

  private readonly checkedRefs = new Set<string>();
  private emptyTree: Promise<string> | undefined;

  private constructor(
    private readonly gitDir: string,
    repositoryPath: string,
    private readonly clock: () => Date,
    private readonly timeoutMs: number,
  ) {
    this.description = `git:${repositoryPath}`;
  }

  /**
   * Opens the repository whose work tree or git directory is exactly `repositoryPath` (a
   * directory inside a repository is refused, so a ledger never lands in an enclosing
   * repository by accident). With `createBare`, an absent or empty directory becomes a
   * new bare repository; a non-empty one is never initialised.
   */
  static async open(repositoryPath: string, options: LocalGitStoreOptions): Promise<LocalGitStore> {
    const absolute = path.resolve(repositoryPath);
    const timeoutMs = options.gitTimeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
    const gitDir =
      (await gitDirectoryAt(absolute, timeoutMs)) ??
      (await initialiseBare(absolute, options.createBare, timeoutMs));

    return new LocalGitStore(gitDir, absolute, options.clock ?? (() => new Date()), timeoutMs);
  }

  /** The store in the repository that contains `cwd`, or null when there is none. */
  static async discover(
    cwd: string,
    options: Omit<LocalGitStoreOptions, 'createBare'> = {},
  ): Promise<LocalGitStore | null> {
    const timeoutMs = options.gitTimeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
    if (!(await isDirectory(cwd))) {
      throw new StoreError(`Cannot look for a git repository in ${cwd}: no such directory`);
    }

    const topLevel = await revParse(cwd, '--show-toplevel', timeoutMs);
    const root = topLevel ?? (await revParse(cwd, '--absolute-git-dir', timeoutMs));
    if (root === null) return null;
    return LocalGitStore.open(root, { ...options, createBare: false });
  }

  async read(ref: string): Promise<LedgerRead> {
    await this.checkRef(ref);
    const tip = await this.tipOf(ref);
    if (tip === null) return { tip: null, serverTime: this.clock() };

    const [object] = await this.catFile([tip]);
    const { message } = parseCommit(object as GitObject);
    return { tip: { sha: tip, message }, serverTime: this.clock() };
  }

  async create(ref: string, message: string): Promise<WriteResult> {
    await this.checkRef(ref);
    assertLedgerMessage(message);

    const commit = await this.commit(message, null);
    return this.moveRef(ref, commit, null);
  }

  async swap(ref: string, expectedTip: string, message: string): Promise<WriteResult> {
    await this.checkRef(ref);
    assertLedgerMessage(message);
    if (!isCommitId(expectedTip)) {
      throw new StoreError(`Expected tip ${JSON.stringify(expectedTip)} is not a commit id`);
    }

    const commit = await this.commit(message, expectedTip);
    return this.moveRef(ref, commit, expectedTip);
  }

  async *history(ref: string, options: { limit?: number } = {}): AsyncIterable<LedgerCommit> {
    let remaining = historyLimit(options.limit);
    await this.checkRef(ref);
    let next = remaining > 0 ? await this.tipOf(ref) : null;

    while (next !== null && remaining > 0) {
      const wanted = Math.min(remaining, HISTORY_PAGE);
      const shas = await this.firstParentChain(next, wanted);
      const objects = await this.catFile(shas);

      let parent: string | null = null;
      for (const object of objects) {
        const commit = parseCommit(object);
        parent = commit.parent;
        yield { sha: object.sha, message: commit.message };
      }

      remaining -= objects.length;
      next = objects.length < wanted ? null : parent;
    }
  }

  async now(): Promise<Date> {
    return this.clock();
  }

  /** Makes a commit on the empty tree; the ledger lives in the message alone. */
  private async commit(message: string, parent: string | null): Promise<string> {
    const tree = await this.emptyTreeId();
    const parents = parent === null ? [] : ['-p', parent];
    const args = [...COMMIT_SETTINGS, 'commit-tree', tree, ...parents, '-F', '-'];

    const result = await this.git(args, Buffer.from(message, 'utf8'));
    return this.expectId(result, 'commit-tree');
  }

  private emptyTreeId(): Promise<string> {
    this.emptyTree ??= this.git(['hash-object', '-t', 'tree', '-w', '--stdin'], Buffer.alloc(0))
      .then((result) => this.expectId(result, 'hash-object'))
      .catch((error: unknown) => {
        this.emptyTree = undefined;
        throw error;
      });
    return this.emptyTree;
  }

  /**
   * Moves `ref` to `commit` only while it is at `expected` (absent when null). A failed
   * update-ref is explained by reading the ref afterwards, never by parsing git's prose,
   * except for the lock held by a concurrent writer, which leaves the ref unmoved.
   */
  private async moveRef(
    ref: string,
    commit: string,
    expected: string | null,
  ): Promise<WriteResult> {
    const oldValue = expected ?? '0'.repeat(commit.length);
    const result = await this.git(['update-ref', '--no-deref', ref, commit, oldValue]);
    if (result.code === 0 && !result.timedOut) return { ok: true, tip: commit };

    const tip = await this.tipOf(ref);
    // A timed-out update-ref may have landed before it was stopped.
    if (tip === commit) return { ok: true, tip: commit };

    const lost: WriteResult = { ok: false, reason: expected === null ? 'exists' : 'conflict' };
    if (tip !== expected) return lost;
    if (await this.concurrentWriterHoldsLock(result.stderr)) return lost;
    throw this.failure(`update-ref ${ref}`, result);
  }

  private async concurrentWriterHoldsLock(stderr: string): Promise<boolean> {
    const lockFile = /Unable to create '([^']+\.lock)': File exists/.exec(stderr)?.[1];
    if (lockFile === undefined) return false;

    const lockAge = await fileAgeMs(lockFile);
    if (lockAge !== null && lockAge > STALE_LOCK_MS) {
      throw new StoreError(
        `The lock file ${lockFile} in ${this.description} is ${Math.round(lockAge / 1000)} s ` +
          'old: a git process died holding it. Remove it once no git process is running.',
      );
    }
    return true;
  }

  /** The commit `ref` points at, or null when it does not exist. */
  private async tipOf(ref: string): Promise<string | null> {
    // for-each-ref matches exactly (no guessing among refs/heads, refs/tags, ...); it also
    // lists refs below `ref`, which the filter drops.
    const format = '%(objectname) %(objecttype) %(refname)';
    const result = await this.git(['for-each-ref', `--format=${format}`, ref]);
    if (result.code !== 0 || result.timedOut) throw this.failure(`for-each-ref ${ref}`, result);

    for (const line of result.stdout.toString('utf8').split('\n')) {
      const [sha, type, name] = line.split(' ');
      if (name !== ref || sha === undefined) continue;
      if (type !== 'commit') {
        throw new StoreError(`${ref} in ${this.description} points at a ${type}, not a commit`);
      }
      return sha;
    }
    return null;
  }

  private async firstParentChain(start: string, count: number): Promise<string[]> {
    const args = ['rev-list', '--first-parent', `--max-count=${count}`, start];
    const result = await this.git(args);
    if (result.code !== 0 || result.timedOut) throw this.failure('rev-list', result);
    return result.stdout.toString('utf8').split('\n').filter(Boolean);
  }

  private async catFile(shas: string[]): Promise<GitObject[]> {
    const result = await this.git(['cat-file', '--batch'], Buffer.from(`${shas.join('\n')}\n`));
    if (result.code !== 0 || result.timedOut) throw this.failure('cat-file', result);
    return parseBatch(result.stdout, this.description);
  }

  private async checkRef(ref: string): Promise<void> {
    assertLedgerRef(ref);
    if (this.checkedRefs.has(ref)) return;

    const result = await this.git(['check-ref-format', ref]);
    if (result.code !== 0 || result.timedOut) {
      throw new StoreError(
        `Invalid ledger ref ${JSON.stringify(ref)}: git check-ref-format refuses it`,
      );
    }
    this.checkedRefs.add(ref);
  }

  private expectId(result: GitOutput, command: string): string {
    const id = result.stdout.toString('utf8').trim();
    if (result.code !== 0 || result.timedOut || !isCommitId(id)) {
      throw this.failure(command, result);
    }
    return id;
  }

  private failure(command: string, result: GitOutput): StoreError {
    const why = result.timedOut
      ? `timed out after ${this.timeoutMs} ms`
      : `failed (exit ${result.code}): ${result.stderr.trim() || 'no message'}`;
    return new StoreError(`git ${command} in ${this.description} ${why}`);
  }

  private git(args: string[], input?: Buffer): Promise<GitOutput> {
    return runGit(args, {
      cwd: this.gitDir,
      gitDir: this.gitDir,
      input,
      timeoutMs: this.timeoutMs,
    });
  }
}

/** The git directory when `directory` is a repository's top (work tree or git dir). */
async function gitDirectoryAt(directory: string, timeoutMs: number): Promise<string | null> {
  if (!(await isDirectory(directory))) return null;
  const gitDir = await revParse(directory, '--absolute-git-dir', timeoutMs);
  if (gitDir === null) return null;

  const here = await realpath(directory);
  if ((await realpath(gitDir)) === here) return gitDir;

  const topLevel = await revParse(directory, '--show-toplevel', timeoutMs);
  if (topLevel !== null && (await realpath(topLevel)) === here) return gitDir;
  return null;
}

async function initialiseBare(
  directory: string,
  createBare: boolean,
  timeoutMs: number,
): Promise<string> {
  const state = await directoryState(directory);
  if (state === 'not-a-directory') {
    throw new StoreError(`Cannot open a git store at ${directory}: it is not a directory`);
  }
  if (!createBare && state === 'non-empty') {
    throw new StoreError(`Cannot open a git store at ${directory}: not a git repository`);
  }
  if (!createBare) {
    const what = state === 'absent' ? 'no such directory' : 'an empty directory';
    throw new StoreError(`Cannot open a git store: no repository at ${directory} (${what})`);
  }
  if (state === 'non-empty') {
    throw new StoreError(
      `Cannot open a git store at ${directory}: not a git repository, and not empty, ` +
        'so no bare repository was created there',
    );
  }

  await createDirectory(directory);
  const result = await runGit(['init', '--bare', '--quiet', directory], {
    cwd: directory,
    timeoutMs,
  });
  if (result.code !== 0 || result.timedOut) {
    throw new StoreError(`git init --bare ${directory} failed: ${result.stderr.trim()}`);
  }
  return directory;
}

/** The answer of `git rev-parse OPTION` in `cwd`, or null when `cwd` is in no repository. */
async function revParse(cwd: string, option: string, timeoutMs: number): Promise<string | null> {
  const result = await runGit(['rev-parse', option], { cwd, timeoutMs });
  if (result.code !== 0 || result.timedOut) {
    const refused = refusedRepository(result.stderr);
    if (refused !== null) throw refused;
    return null;
  }
  return result.stdout.toString('utf8').trim() || null;
}

/**
 * Git refuses a repository owned by another user (CVE-2022-24765) with the same exit status
 * as a directory that is no repository at all; only its message tells the two apart, and
 * calling the repository missing would send the user looking in the wrong place.
 */
function refusedRepository(stderr: string): StoreError | null {
  const found = /dubious ownership in repository at '([^']*)'/.exec(stderr);
  if (found === null) return null;
  const repository = found[1] || 'PATH';
  return new StoreError(
    `git refuses the repository at ${repository}: "detected dubious ownership" (it belongs ` +
      'to another user than the one running Cronwarden). If you trust it, run ' +
      `git config --global --add safe.directory ${repository}, or run as its owner`,
  );
}

/** Splits the output of `git cat-file --batch`: "<sha> <type> <size>\n<content>\n" each. */
function parseBatch(output: Buffer, where: string): GitObject[] {
  const objects: GitObject[] = [];
  let offset = 0;
  while (offset < output.length) {
    const lineEnd = output.indexOf(0x0a, offset);
    if (lineEnd < 0) throw new StoreError(`Truncated git cat-file output in ${where}`);
    const header = output.subarray(offset, lineEnd).toString('utf8');
    const [sha, type, size] = header.split(' ');
    if (sha === undefined || type === undefined || type === 'missing' || size === undefined) {
      throw new StoreError(`git cat-file in ${where} could not find ${header}`);
    }

    const start = lineEnd + 1;
    const end = start + Number(size);
    objects.push({ sha, type, content: output.subarray(start, end) });
    offset = end + 1;
  }
  return objects;
}

/** The message (every byte after the headers' blank line) and the first parent. */
function parseCommit(object: GitObject): { message: string; parent: string | null } {
  if (object.type !== 'commit') {
    throw new StoreError(`Object ${object.sha} is a ${object.type}, not a commit`);
  }
  const split = object.content.indexOf('\n\n');
  if (split < 0) throw new StoreError(`Commit ${object.sha} has no message separator`);

  const headers = object.content.subarray(0, split).toString('utf8').split('\n');
  const parentLine = headers.find((line) => line.startsWith('parent '));
  return {
    message: object.content.subarray(split + 2).toString('utf8'),
    parent: parentLine === undefined ? null : parentLine.slice('parent '.length),
  };
}

interface GitRun {
  cwd: string;
  gitDir?: string;
  input?: Buffer;
  timeoutMs: number;
}

function runGit(args: string[], run: GitRun): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: run.cwd, env: gitEnvironment(run.gitDir) });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;

    const terminate = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), GIT_KILL_GRACE_MS).unref();
    }, run.timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // git may exit before reading all its input (a bad argument); that is not our failure.
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      clearTimeout(terminate);
      reject(new StoreError(`Could not run git in ${run.cwd}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(terminate);
      const output = Buffer.concat(stdout);
      resolve({ code, timedOut, stdout: output, stderr: Buffer.concat(stderr).toString('utf8') });
    });

    child.stdin.end(run.input ?? Buffer.alloc(0));
  });
}

function gitEnvironment(gitDir: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of REPOSITORY_VARIABLES) delete env[name];
  delete env.LANGUAGE;

  // LC_ALL=C keeps git's messages in English: the lock-file message is matched above.
  Object.assign(env, COMMIT_IDENTITY, { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' });
  if (gitDir !== undefined) env.GIT_DIR = gitDir;
  return env;
}

async function directoryState(
  directory: string,
): Promise<'absent' | 'empty' | 'non-empty' | 'not-a-directory'> {
  try {
    const entries = await readdir(directory);
    return entries.length === 0 ? 'empty' : 'non-empty';
  } catch (error: unknown) {
    if (errorCode(error) === 'ENOENT') return 'absent';
    if (errorCode(error) === 'ENOTDIR') return 'not-a-directory';
    throw fileSystemFailure(`Cannot open a git store at ${directory}`, error);
  }
}

async function createDirectory(directory: string): Promise<void> {
  try {
    await mkdir(directory, { recursive: true });
  } catch (error: unknown) {
    throw fileSystemFailure(`Cannot create a git store at ${directory}`, error);
  }
}

/** A failed file operation as a StoreError that names the path and the reason only. */
function fileSystemFailure(what: string, error: unknown): StoreError {
  const code = errorCode(error);
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    ENOTDIR: 'a part of the path is not a directory',
  };
  const reason =
    typeof code === 'string' && code in reasons
      ? reasons[code]
      : error instanceof Error
        ? error.message
        : String(error);
  return new StoreError(`${what}: ${reason}`);
}

async function isDirectory(candidate: string): Promise<boolean> {
  try {
    return (await stat(candidate)).isDirectory();
  } catch {
    return false;
  }
}

async function fileAgeMs(file: string): Promise<number | null> {
  try {
    return Date.now() - (await stat(file)).mtimeMs;
  } catch {
    return null;
  }
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}
