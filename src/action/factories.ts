import { createClient } from '../github/client.js';
import { shellPatrolRunner } from '../run/patrol-runner.js';
import { reportOnIssues } from './bot-report.js';
import type { ActionEnv } from './inputs.js';
import { coreKit } from './kit.js';
import type { ActionFactories } from './run.js';

/** The real things: @actions/core, Octokit with retry and throttling, the shell runner. */
export function actionFactories(env: ActionEnv, cancelled?: AbortSignal): ActionFactories {
  return {
    kit: coreKit(env),
    client: createClient,
    runner: shellPatrolRunner,
    reporter: reportOnIssues,
    ...(cancelled === undefined ? {} : { cancelled }),
    cwd: process.cwd(),
  };
}
