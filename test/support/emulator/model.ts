import type { EmulatorClock } from './clock.js';
import type { TokenRecord } from './auth.js';
import { ObjectStore } from './git-objects.js';
import { RefStore } from './refs.js';

/** Who made an issue, comment or pull request. */
export interface Actor {
  login: string;
  id: number;
  type: 'Bot' | 'User';
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface PullFields {
  headRef: string;
  /** `owner:branch`, as GitHub labels a head. */
  headLabel: string;
  baseRef: string;
  draft: boolean;
}

export interface IssueRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: string | null;
  user: Actor;
  labels: string[];
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  comments: number;
  /** Present when the issue is a pull request (they share one number sequence). */
  pull?: PullFields;
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  user: Actor;
  createdAt: Date;
  updatedAt: Date;
}

export type RunStatus =
  'requested' | 'queued' | 'pending' | 'waiting' | 'in_progress' | 'completed';

export interface RunAttempt {
  status: RunStatus;
  conclusion: string | null;
  startedAt: Date;
  updatedAt: Date;
}

export interface RunRecord {
  id: number;
  name: string;
  event: string;
  workflowId: string;
  headBranch: string | null;
  headSha: string | null;
  createdAt: Date;
  /** attempts[n - 1] is attempt n; the last is the run's current state. */
  attempts: RunAttempt[];
}

export interface DispatchRecord {
  workflowId: string;
  ref: string;
  inputs: Record<string, unknown>;
  at: Date;
  runId: number;
  by: string;
}

/** One repository: its git data, issues, pull requests and Actions runs. */
export class Repository {
  readonly objects = new ObjectStore();
  readonly refs = new RefStore();
  readonly issues = new Map<number, IssueRecord>();
  /** Keyed by the lower-cased name: GitHub's label names are case-insensitive. */
  readonly labels = new Map<string, LabelRecord>();
  readonly comments: CommentRecord[] = [];
  readonly runs = new Map<number, RunRecord>();
  readonly dispatches: DispatchRecord[] = [];
  nextNumber = 1;

  constructor(
    readonly id: number,
    readonly owner: string,
    readonly name: string,
    readonly defaultBranch: string,
  ) {}

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  /** GitHub calls a repository without any ref "empty" and refuses git data writes in it. */
  get isEmpty(): boolean {
    return this.refs.isEmpty;
  }

  label(name: string): LabelRecord | undefined {
    return this.labels.get(name.toLowerCase());
  }
}

/** Everything one emulator knows: repositories, tokens, the clock and id counters. */
export class World {
  readonly repos = new Map<string, Repository>();
  readonly tokens = new Map<string, TokenRecord>();
  baseUrl = 'http://127.0.0.1';
  private nextIdValue = 1_000_001;

  constructor(readonly clock: EmulatorClock) {}

  /** Ids grow from one counter, so they are unique across kinds and runs are repeatable. */
  nextId(): number {
    const id = this.nextIdValue;
    this.nextIdValue += 1;
    return id;
  }

  /** Owner and name are case-insensitive on GitHub. */
  repo(fullName: string): Repository | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  requireRepo(fullName: string): Repository {
    const repo = this.repo(fullName);
    if (repo === undefined) {
      throw new Error(`The emulator has no repository ${fullName}; add it with addRepo().`);
    }
    return repo;
  }

  repoUrl(repo: Repository): string {
    return `${this.baseUrl}/repos/${repo.fullName}`;
  }
}

export const HTML_BASE = 'https://github.com';

export function actorOf(token: TokenRecord): Actor {
  return { login: token.login, id: token.userId, type: token.type };
}
