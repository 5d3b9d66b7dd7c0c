import type { ActionEnv } from './inputs.js';

/**
 * What the main step leaves for the post step (core.saveState). The runner hands each
 * saved value to the post step as STATE_<name>, the last value saved under a name winning.
 */
export const STATE = {
  /** JSON of SavedLedger: which ledger the claim writes to, saved before it does. */
  ledger: 'ledger',
  /** JSON list of the lease nonces this job is about to be (or was) granted. */
  nonces: 'nonces',
  /** "true" once every grant of the tick was released (or nothing was granted). */
  released: 'released',
} as const;

export interface SavedLedger {
  /** owner/name of the lock repository. */
  repository: string;
  ref: string;
  /** The main step's tick, named again in what the post step writes. */
  tick: string;
}

export interface PostState {
  ledger: SavedLedger | null;
  nonces: string[];
  released: boolean;
}

export function readPostState(env: ActionEnv): PostState {
  return {
    ledger: parseLedger(env[`STATE_${STATE.ledger}`]),
    nonces: parseNonces(env[`STATE_${STATE.nonces}`]),
    released: env[`STATE_${STATE.released}`] === 'true',
  };
}

function parseLedger(raw: string | undefined): SavedLedger | null {
  const value = parseJson(raw) as Partial<SavedLedger> | null;
  if (
    typeof value?.repository !== 'string' ||
    typeof value.ref !== 'string' ||
    typeof value.tick !== 'string'
  ) {
    return null;
  }
  return { repository: value.repository, ref: value.ref, tick: value.tick };
}

function parseNonces(raw: string | undefined): string[] {
  const value = parseJson(raw);
  return Array.isArray(value) ? value.filter((n): n is string => typeof n === 'string') : [];
}

function parseJson(raw: string | undefined): unknown {
  if (raw === undefined || raw === '') return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}
