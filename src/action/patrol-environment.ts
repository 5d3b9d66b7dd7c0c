import type { ActionEnv } from './inputs.js';

/**
 * Patrols run like a `run:` step of the job: they inherit its environment, but not the
 * Action's inputs (the token among them), its saved state, or the runner's own tokens.
 */
export function patrolEnvironment(env: ActionEnv): NodeJS.ProcessEnv {
  const inherited: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (/^(INPUT_|STATE_)/.test(name) || RUNNER_SECRETS.includes(name)) continue;
    inherited[name] = value;
  }
  return inherited;
}

/** Given to the Action's process by the runner, and not to `run:` steps. */
const RUNNER_SECRETS = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RUNTIME_URL',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
];
