import {
  ApiError,
  bodyObject,
  invalidField,
  notFound,
  requiredString,
  unprocessable,
} from './http.js';
import type { Answer } from './http.js';
import { iso, nodeId } from './json.js';
import { HTML_BASE } from './model.js';
import type { Repository, RunAttempt, RunRecord, World } from './model.js';
import type { RepoRoute, RouteContext } from './router.js';

/** Workflow runs (added by tests), their attempts, cancelling, and workflow dispatch. */

export const CANNOT_CANCEL_COMPLETED = 'Cannot cancel a workflow run that is completed.';
const MAX_DISPATCH_INPUTS = 25;

export function runJson(
  world: World,
  repo: Repository,
  run: RunRecord,
  attemptNumber = run.attempts.length,
): Record<string, unknown> {
  const attempt = run.attempts[attemptNumber - 1] as RunAttempt;
  const url = `${world.repoUrl(repo)}/actions/runs/${run.id}`;
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId('WorkflowRun', run.id),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: workflowPath(run.workflowId),
    display_title: run.name,
    run_number: run.id,
    event: run.event,
    status: attempt.status,
    conclusion: attempt.conclusion,
    workflow_id: run.workflowId,
    url,
    html_url: `${HTML_BASE}/${repo.fullName}/actions/runs/${run.id}`,
    created_at: iso(run.createdAt),
    updated_at: iso(attempt.updatedAt),
    run_attempt: attemptNumber,
    run_started_at: iso(attempt.startedAt),
    previous_attempt_url: attemptNumber > 1 ? `${url}/attempts/${attemptNumber - 1}` : null,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
  };
}

function workflowPath(workflowId: string): string {
  return /\.ya?ml$/.test(workflowId) ? `.github/workflows/${workflowId}` : '';
}

function findRun(ctx: RouteContext): RunRecord {
  const run = ctx.repo.runs.get(Number(ctx.params.id));
  if (run === undefined) {
    throw notFound();
  }
  return run;
}

function getAttempt(ctx: RouteContext): Answer {
  const run = findRun(ctx);
  const n = Number(ctx.params.attempt);
  if (!Number.isInteger(n) || n < 1 || n > run.attempts.length) {
    throw notFound();
  }
  return { status: 200, body: runJson(ctx.world, ctx.repo, run, n) };
}

function cancelRun(ctx: RouteContext): Answer {
  const run = findRun(ctx);
  const latest = run.attempts[run.attempts.length - 1] as RunAttempt;
  if (latest.status === 'completed') {
    throw new ApiError(409, CANNOT_CANCEL_COMPLETED);
  }
  // GitHub passes through a short "cancelling" phase; the emulator lands at the end state.
  latest.status = 'completed';
  latest.conclusion = 'cancelled';
  latest.updatedAt = ctx.now;
  return { status: 202, body: {} };
}

/** A dispatch's `ref` is a branch, a tag, or a full ref name. */
function resolveRef(repo: Repository, ref: string): { sha: string; branch: string } | undefined {
  for (const name of [ref, `refs/heads/${ref}`, `refs/tags/${ref}`]) {
    const sha = name.startsWith('refs/') ? repo.refs.get(name) : undefined;
    if (sha !== undefined) {
      return { sha, branch: name.replace(/^refs\/(heads|tags)\//, '') };
    }
  }
  return undefined;
}

function dispatch(ctx: RouteContext): Answer {
  const body = bodyObject(ctx.body);
  const ref = requiredString(body, 'ref', 'WorkflowDispatch');
  const inputs = body.inputs === undefined ? {} : bodyObject(body.inputs);
  if (Object.keys(inputs).length > MAX_DISPATCH_INPUTS) {
    throw unprocessable(
      `you may only define up to ${MAX_DISPATCH_INPUTS} \`inputs\` ` +
        'for a `workflow_dispatch` event',
    );
  }
  if (body.return_run_details !== undefined && typeof body.return_run_details !== 'boolean') {
    throw invalidField('WorkflowDispatch', 'return_run_details', body.return_run_details);
  }
  const target = resolveRef(ctx.repo, ref);
  if (target === undefined) {
    throw unprocessable(`No ref found for: ${ref}`);
  }
  const workflowId = ctx.params.workflow as string;
  const run: RunRecord = {
    id: ctx.world.nextId(),
    name: workflowId.replace(/\.ya?ml$/, ''),
    event: 'workflow_dispatch',
    workflowId,
    headBranch: target.branch,
    headSha: target.sha,
    createdAt: ctx.now,
    attempts: [{ status: 'queued', conclusion: null, startedAt: ctx.now, updatedAt: ctx.now }],
  };
  ctx.repo.runs.set(run.id, run);
  ctx.repo.dispatches.push({
    workflowId,
    ref,
    inputs,
    at: ctx.now,
    runId: run.id,
    by: ctx.token.login,
  });
  if (body.return_run_details !== true) {
    return { status: 204 };
  }
  const json = runJson(ctx.world, ctx.repo, run);
  return {
    status: 200,
    body: { workflow_run_id: run.id, run_url: json.url, html_url: json.html_url },
  };
}

export const actionRoutes: RepoRoute[] = [
  {
    method: 'GET',
    pattern: 'actions/runs/:id',
    scope: 'actions',
    docs: 'actions/workflow-runs#get-a-workflow-run',
    handle: (ctx) => ({ status: 200, body: runJson(ctx.world, ctx.repo, findRun(ctx)) }),
  },
  {
    method: 'GET',
    pattern: 'actions/runs/:id/attempts/:attempt',
    scope: 'actions',
    docs: 'actions/workflow-runs#get-a-workflow-run-attempt',
    handle: getAttempt,
  },
  {
    method: 'POST',
    pattern: 'actions/runs/:id/cancel',
    scope: 'actions',
    docs: 'actions/workflow-runs#cancel-a-workflow-run',
    handle: cancelRun,
  },
  {
    method: 'POST',
    pattern: 'actions/workflows/:workflow/dispatches',
    scope: 'actions',
    docs: 'actions/workflows#create-a-workflow-dispatch-event',
    handle: dispatch,
  },
];
