import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { RateLimiter } from './auth.js';
import type { TokenOptions, TokenRecord } from './auth.js';
import { createClock } from './clock.js';
import type { EmulatorClock } from './clock.js';
import { Faults } from './faults.js';
import type { FaultControl } from './faults.js';
import { Repository, World } from './model.js';
import type { RunAttempt, RunRecord, RunStatus } from './model.js';
import type { RefChange } from './refs.js';
import { RepoRouter } from './router.js';
import { actionRoutes } from './routes-actions.js';
import { gitRoutes } from './routes-git.js';
import { issueRoutes } from './routes-issues.js';
import { pullRoutes } from './routes-pulls.js';
import { repoRoutes } from './routes-repo.js';
import { createRequestHandler } from './server.js';
import type { RequestLogEntry } from './server.js';
import {
  blobText,
  commitView,
  commentViews,
  dispatchViews,
  filesOf,
  issueViews,
  labelViews,
  pullViews,
  runViews,
  seedCommit,
  treeView,
} from './views.js';
import type {
  CommentView,
  CommitView,
  DispatchView,
  IssueView,
  LabelView,
  PullView,
  RunView,
  SeedCommit,
  TreeEntryView,
} from './views.js';

export type { EmulatorClock } from './clock.js';
export type { FaultControl, FaultHandle, FaultKind, FaultMatch, FaultSpec } from './faults.js';
export type { Access, Permission, TokenOptions } from './auth.js';
export type { RunStatus } from './model.js';
export type { RefChange } from './refs.js';
export type { RequestLogEntry } from './server.js';
export type {
  CommentView,
  CommitView,
  DispatchView,
  IssueView,
  LabelView,
  PullView,
  RunView,
  SeedCommit,
  TreeEntryView,
} from './views.js';
export { EMPTY_TREE_SHA } from './git-objects.js';
export { READ_LEDGER, LEDGER_HISTORY } from './graphql.js';
export {
  BASE_TREE_INVALID,
  NOT_FAST_FORWARD,
  OBJECT_DOES_NOT_EXIST,
  PARENT_DOES_NOT_EXIST,
  REF_ALREADY_EXISTS,
  REF_BAD_NAME,
  REF_DOES_NOT_EXIST,
  REPOSITORY_EMPTY,
  TREE_DOES_NOT_EXIST,
} from './routes-git.js';
export { CANNOT_CANCEL_COMPLETED } from './routes-actions.js';
export { BODY_LIMIT } from './routes-issues.js';

export interface EmulatorOptions {
  /** Freeze the server clock here; without it the clock follows the machine's. */
  now?: Date;
  /** Port on 127.0.0.1; 0 (the default) takes any free one. */
  port?: number;
  /** Called after every answered request (the CLI prints them). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface RepoOptions {
  defaultBranch?: string;
  /** No commit at all: git data calls answer 409 "Git Repository is empty.". */
  empty?: boolean;
}

export interface NewRun {
  id: number;
  /** The latest attempt; earlier attempts are recorded as completed with `failure`. */
  attempt?: number;
  status: RunStatus;
  conclusion?: string | null;
  name?: string;
  event?: string;
  workflowId?: string;
  headBranch?: string;
}

export interface RunPatch {
  /** A number above the latest starts a re-run: a new attempt with the given state. */
  attempt?: number;
  status?: RunStatus;
  conclusion?: string | null;
  name?: string;
}

export interface Emulator {
  /** REST base URL, e.g. http://127.0.0.1:PORT; GraphQL at `${url}/graphql`. */
  url: string;
  close(): Promise<void>;
  clock: EmulatorClock;
  addRepo(fullName: string, o?: RepoOptions): void;
  addToken(token: string, o: TokenOptions): void;
  addRun(fullName: string, run: NewRun): void;
  updateRun(fullName: string, id: number, patch: RunPatch): void;
  faults: FaultControl;
  /** Every answered request, oldest first. */
  log: RequestLogEntry[];
  clearLog(): void;

  /** Write a commit (and its files) straight into a repository; answers its sha. */
  seedCommit(fullName: string, commit: SeedCommit): string;
  /** Point a ref (full name, `refs/...`) at `sha`, or delete it with `null`, bypassing checks. */
  setRef(fullName: string, ref: string, sha: string | null): void;
  addLabel(fullName: string, name: string, o?: { color?: string; description?: string }): void;

  /** Refs (full names) to their shas, optionally only those starting with `prefix`. */
  refs(fullName: string, prefix?: string): Record<string, string>;
  refHistory(fullName: string, ref: string): RefChange[];
  issues(fullName: string): IssueView[];
  comments(fullName: string, number: number): CommentView[];
  labels(fullName: string): LabelView[];
  pulls(fullName: string): PullView[];
  commit(fullName: string, sha: string): CommitView | undefined;
  blob(fullName: string, sha: string): string | undefined;
  tree(fullName: string, sha: string): TreeEntryView[] | undefined;
  /** Every file of a tree, commit or ref, path to UTF-8 content. */
  files(fullName: string, treeish: string): Record<string, string> | undefined;
  runs(fullName: string): RunView[];
  dispatches(fullName: string): DispatchView[];
}

const DEFAULT_LIMIT = { Bot: 1000, User: 5000 } as const;

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const world = new World(createClock(options.now));
  const faults = new Faults();
  const log: RequestLogEntry[] = [];
  const listeners = options.onRequest === undefined ? [] : [options.onRequest];
  const router = new RepoRouter([
    ...repoRoutes,
    ...gitRoutes,
    ...issueRoutes,
    ...pullRoutes,
    ...actionRoutes,
  ]);
  const handler = createRequestHandler({
    world,
    router,
    limiter: new RateLimiter(),
    faults,
    log,
    listeners,
  });
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  world.baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: world.baseUrl,
    clock: world.clock,
    faults,
    log,
    close: () => closeServer(server),
    clearLog: () => {
      log.length = 0;
    },
    addRepo: (fullName, o) => addRepo(world, fullName, o),
    addToken: (token, o) => addToken(world, token, o),
    addRun: (fullName, run) => addRun(world, fullName, run),
    updateRun: (fullName, id, patch) => updateRun(world, fullName, id, patch),
    seedCommit: (fullName, c) => seedCommit(world.requireRepo(fullName), c, world.clock.now()),
    setRef: (fullName, ref, sha) =>
      world.requireRepo(fullName).refs.set(ref, sha, world.clock.now()),
    addLabel: (fullName, name, o) => {
      const repo = world.requireRepo(fullName);
      const label = {
        id: world.nextId(),
        name,
        color: o?.color ?? 'ededed',
        description: o?.description ?? null,
      };
      repo.labels.set(name.toLowerCase(), label);
    },
    refs: (fullName, prefix) => {
      const refs = world.requireRepo(fullName).refs;
      return Object.fromEntries(refs.names(prefix).map((n) => [n, refs.get(n) as string]));
    },
    refHistory: (fullName, ref) => world.requireRepo(fullName).refs.history(ref),
    issues: (fullName) => issueViews(world.requireRepo(fullName)),
    comments: (fullName, number) => commentViews(world.requireRepo(fullName), number),
    labels: (fullName) => labelViews(world.requireRepo(fullName)),
    pulls: (fullName) => pullViews(world.requireRepo(fullName)),
    commit: (fullName, sha) => commitView(world.requireRepo(fullName), sha),
    blob: (fullName, sha) => blobText(world.requireRepo(fullName), sha),
    tree: (fullName, sha) => treeView(world.requireRepo(fullName), sha),
    files: (fullName, treeish) => filesOf(world.requireRepo(fullName), treeish),
    runs: (fullName) => runViews(world.requireRepo(fullName)),
    dispatches: (fullName) => dispatchViews(world.requireRepo(fullName)),
  };
}

function closeServer(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    // Clients keep connections alive; without this close() would wait for them to idle out.
    server.closeAllConnections();
  });
}

function addRepo(world: World, fullName: string, o: RepoOptions = {}): void {
  const [owner, name, ...extra] = fullName.split('/');
  if (
    owner === undefined ||
    owner === '' ||
    name === undefined ||
    name === '' ||
    extra.length > 0
  ) {
    throw new Error(`A repository is named owner/name, not ${JSON.stringify(fullName)}.`);
  }
  if (world.repo(fullName) !== undefined) {
    throw new Error(`The emulator already has ${fullName}.`);
  }
  const repo = new Repository(world.nextId(), owner, name, o.defaultBranch ?? 'main');
  world.repos.set(fullName.toLowerCase(), repo);
  if (o.empty === true) {
    return;
  }
  const now = world.clock.now();
  const sha = seedCommit(
    repo,
    { message: 'Initial commit', files: { 'README.md': `# ${name}\n` } },
    now,
  );
  repo.refs.set(`refs/heads/${repo.defaultBranch}`, sha, now);
}

function addToken(world: World, token: string, o: TokenOptions): void {
  const type = o.type ?? 'User';
  const record: TokenRecord = {
    token,
    login: o.login,
    type,
    userId: world.nextId(),
    installationId: world.nextId(),
    permissions: { ...o.permissions },
    canCreateLabels: o.canCreateLabels ?? false,
    rateLimit: o.rateLimit ?? DEFAULT_LIMIT[type],
  };
  world.tokens.set(token, record);
}

function addRun(world: World, fullName: string, run: NewRun): void {
  const repo = world.requireRepo(fullName);
  const now = world.clock.now();
  const latest = run.attempt ?? 1;
  const attempts: RunAttempt[] = [];
  for (let n = 1; n < latest; n += 1) {
    attempts.push({ status: 'completed', conclusion: 'failure', startedAt: now, updatedAt: now });
  }
  attempts.push({
    status: run.status,
    conclusion: run.conclusion ?? null,
    startedAt: now,
    updatedAt: now,
  });
  const record: RunRecord = {
    id: run.id,
    name: run.name ?? 'cronwarden',
    event: run.event ?? 'schedule',
    workflowId: run.workflowId ?? 'cronwarden.yml',
    headBranch: run.headBranch ?? repo.defaultBranch,
    headSha: repo.refs.get(`refs/heads/${repo.defaultBranch}`) ?? null,
    createdAt: now,
    attempts,
  };
  repo.runs.set(run.id, record);
}

function updateRun(world: World, fullName: string, id: number, patch: RunPatch): void {
  const run = world.requireRepo(fullName).runs.get(id);
  if (run === undefined) {
    throw new Error(`The emulator has no run ${id} in ${fullName}.`);
  }
  const now = world.clock.now();
  while (patch.attempt !== undefined && run.attempts.length < patch.attempt) {
    run.attempts.push({ status: 'queued', conclusion: null, startedAt: now, updatedAt: now });
  }
  const attempt = run.attempts[(patch.attempt ?? run.attempts.length) - 1];
  if (attempt === undefined) {
    throw new Error(`Run ${id} has no attempt ${String(patch.attempt)}.`);
  }
  if (patch.status !== undefined) {
    attempt.status = patch.status;
    if (patch.status !== 'completed' && patch.conclusion === undefined) {
      attempt.conclusion = null;
    }
  }
  if (patch.conclusion !== undefined) {
    attempt.conclusion = patch.conclusion;
  }
  if (patch.name !== undefined) {
    run.name = patch.name;
  }
  attempt.updatedAt = now;
}
