import { graphqlUrlFor } from '../github/client.js';
import type { ActionsHolder } from '../ledger/types.js';
import type { ActionEnv } from './inputs.js';

/** Where and as whom this step runs, from the variables the runner sets. */
export interface JobContext {
  /** owner/name of the repository running the workflow. */
  repository: string;
  /** This job: the holder of every lease the tick is granted. */
  holder: ActionsHolder;
  event: string;
  workspace: string;
  apiUrl: string;
  graphqlUrl: string;
  /** The run's page, for the summary and the ledger's run records. */
  runUrl: string;
}

/** The Action runs outside GitHub Actions, or the runner left out a variable it needs. */
export class JobContextError extends Error {
  override name = 'JobContextError';
}

/**
 * Events that run for a pull request may carry a fork's code and a read-only token: a tick
 * there validates the table and plans, and never writes or runs anything.
 */
export function isPullRequestEvent(event: string): boolean {
  return event.startsWith('pull_request');
}

export function readJobContext(env: ActionEnv, cwd: string): JobContext {
  const repository = required(env, 'GITHUB_REPOSITORY');
  const runId = positiveInteger(env, 'GITHUB_RUN_ID', undefined);
  const runAttempt = positiveInteger(env, 'GITHUB_RUN_ATTEMPT', 1);
  const apiUrl = env.GITHUB_API_URL || 'https://api.github.com';
  const serverUrl = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const attemptPath = runAttempt > 1 ? `/attempts/${runAttempt}` : '';
  return {
    repository,
    holder: { kind: 'actions', repository, runId, runAttempt, job: required(env, 'GITHUB_JOB') },
    event: env.GITHUB_EVENT_NAME || 'unknown',
    workspace: env.GITHUB_WORKSPACE || cwd,
    apiUrl,
    graphqlUrl: graphqlUrlFor(apiUrl, env.GITHUB_GRAPHQL_URL),
    runUrl: `${serverUrl}/${repository}/actions/runs/${runId}${attemptPath}`,
  };
}

function required(env: ActionEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new JobContextError(
      `${name} is not set: Cronwarden's Action runs as a step of a GitHub Actions job ` +
        '(use the cronwarden CLI elsewhere).',
    );
  }
  return value;
}

function positiveInteger(env: ActionEnv, name: string, fallback: number | undefined): number {
  const raw = env[name];
  if ((raw === undefined || raw === '') && fallback !== undefined) return fallback;
  const value = Number(required(env, name));
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new JobContextError(`${name} is "${raw}", not a positive whole number.`);
  }
  return value;
}
