import { DEFAULT_CONFIG_PATH } from '../config/index.js';
import { RENEWABLE_LEASE_TTL_MS } from '../ledger/lease.js';

/** The environment of a step: what the runner passes to the Action's process. */
export type ActionEnv = Readonly<Record<string, string | undefined>>;

/** The Action's inputs, parsed once; every field is documented in action.yml. */
export interface ActionInputs {
  /** The patrol table, relative to the workspace. */
  config: string;
  token: string;
  /** owner/name of the repository whose ref holds the ledger. */
  lockRepository: string;
  dryRun: boolean;
  /** Only this patrol; undefined: every patrol of the table. */
  patrol: string | undefined;
  force: boolean;
  maxParallel: number;
  /** How often a running patrol's lease is checked. */
  watchIntervalMs: number;
  /** Whether the bot's issues are updated after the tick. */
  report: boolean;
  /** The login the bot's issues are opened under; undefined: ask GitHub. */
  botLogin: string | undefined;
}

/** An input has a value the Action cannot use; the message names the input. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super(`Input "${input}" ${problem}`);
  }
}

export const MAX_PARALLEL_LIMIT = 64;

/**
 * A renewable lease is renewed once half of its term is gone; checking at most every
 * quarter term leaves room for one failed check before it could lapse.
 */
export const WATCH_INTERVAL_LIMIT_SECONDS = RENEWABLE_LEASE_TTL_MS / 4 / 1000;

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
};

const REPOSITORY_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/**
 * The runner passes input `lock-repository` as INPUT_LOCK-REPOSITORY: upper case, spaces
 * as underscores, dashes kept. Surrounding whitespace never matters in a workflow file.
 */
export function readInput(env: ActionEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** Parse every input strictly; `repository` (GITHUB_REPOSITORY) is the lock default. */
export function parseInputs(env: ActionEnv, repository: string): ActionInputs {
  const patrol = readInput(env, 'patrol');
  return {
    config: readInput(env, 'config') || DEFAULT_CONFIG_PATH,
    token: requireToken(env),
    lockRepository: parseRepository(env, 'lock-repository', repository),
    dryRun: parseBoolean(env, 'dry-run', false),
    patrol: patrol === '' ? undefined : patrol,
    force: parseBoolean(env, 'force', false),
    maxParallel: parseWholeNumber(env, 'max-parallel', 4, MAX_PARALLEL_LIMIT),
    watchIntervalMs:
      parseWholeNumber(env, 'watch-interval', 60, WATCH_INTERVAL_LIMIT_SECONDS) * 1000,
    report: parseBoolean(env, 'report', true),
    botLogin: readInput(env, 'bot-login') || undefined,
  };
}

/** Only the YAML 1.2 spellings Actions itself accepts: "yes" or "1" are mistakes here. */
export function parseBoolean(env: ActionEnv, name: string, fallback: boolean): boolean {
  const raw = readInput(env, name);
  if (raw === '') return fallback;
  const value = BOOLEAN_WORDS[raw];
  if (value === undefined) throw new InputError(name, `must be true or false, not "${raw}".`);
  return value;
}

export function parseWholeNumber(
  env: ActionEnv,
  name: string,
  fallback: number,
  max: number,
): number {
  const raw = readInput(env, name);
  if (raw === '') return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new InputError(name, `must be a whole number from 1 to ${max}, not "${raw}".`);
  }
  return value;
}

function parseRepository(env: ActionEnv, name: string, fallback: string): string {
  const raw = readInput(env, name) || fallback;
  if (!REPOSITORY_NAME.test(raw)) {
    throw new InputError(name, `must name a repository as owner/name, not "${raw}".`);
  }
  return raw;
}

function requireToken(env: ActionEnv): string {
  const token = readInput(env, 'token');
  if (token === '') {
    throw new InputError(
      'token',
      "is empty. Leave it out to use the job's GITHUB_TOKEN, or pass a secret that is set.",
    );
  }
  return token;
}
