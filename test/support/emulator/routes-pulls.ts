import {
  bodyObject,
  notFound,
  optionalString,
  paginate,
  requiredString,
  validationFailed,
} from './http.js';
import type { Answer } from './http.js';
import { iso, isoOrNull, nodeId, repoJson, userJson } from './json.js';
import { actorOf, HTML_BASE } from './model.js';
import type { IssueRecord, PullFields } from './model.js';
import type { RepoRoute, RouteContext } from './router.js';
import { findIssue, issueJson, setState } from './routes-issues.js';

/**
 * Pull requests between branches of one repository (no forks). Branches are the
 * refs/heads/* of the same ref store the git endpoints write.
 */

type Pull = IssueRecord & { pull: PullFields };

function branchJson(ctx: RouteContext, ref: string, label: string): Record<string, unknown> {
  return {
    label,
    ref,
    sha: ctx.repo.refs.get(`refs/heads/${ref}`) ?? null,
    repo: repoJson(ctx.world, ctx.repo),
  };
}

function pullJson(ctx: RouteContext, pr: Pull): Record<string, unknown> {
  const repoUrl = ctx.world.repoUrl(ctx.repo);
  const html = `${HTML_BASE}/${ctx.repo.fullName}/pull/${pr.number}`;
  const issue = issueJson(ctx, pr);
  return {
    id: pr.id,
    node_id: nodeId('PullRequest', pr.id),
    url: `${repoUrl}/pulls/${pr.number}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${repoUrl}/issues/${pr.number}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    body: pr.body,
    user: userJson(ctx.world, pr.user),
    labels: issue.labels,
    created_at: iso(pr.createdAt),
    updated_at: iso(pr.updatedAt),
    closed_at: isoOrNull(pr.closedAt),
    merged_at: null,
    merged: false,
    draft: pr.pull.draft,
    head: branchJson(ctx, pr.pull.headRef, pr.pull.headLabel),
    base: branchJson(ctx, pr.pull.baseRef, `${ctx.repo.owner}:${pr.pull.baseRef}`),
    author_association: 'NONE',
  };
}

function pulls(ctx: RouteContext): Pull[] {
  return [...ctx.repo.issues.values()].filter((i): i is Pull => i.pull !== undefined);
}

/** `owner:branch` or a bare branch of this repository. */
function parseHead(ctx: RouteContext, head: string): { ref: string; label: string } | undefined {
  const colon = head.indexOf(':');
  if (colon < 0) {
    return { ref: head, label: `${ctx.repo.owner}:${head}` };
  }
  const owner = head.slice(0, colon);
  const ref = head.slice(colon + 1);
  if (owner.toLowerCase() !== ctx.repo.owner.toLowerCase()) {
    return undefined;
  }
  return { ref, label: `${ctx.repo.owner}:${ref}` };
}

function listPulls(ctx: RouteContext): Answer {
  const q = ctx.query;
  const state = q.get('state') ?? 'open';
  const headFilter = q.get('head');
  const head = headFilter === null ? undefined : parseHead(ctx, headFilter);
  const base = q.get('base');
  const direction = q.get('direction') ?? 'desc';
  const all = pulls(ctx)
    .filter((p) => state === 'all' || p.state === state)
    .filter((p) => headFilter === null || (head !== undefined && p.pull.headRef === head.ref))
    .filter((p) => base === null || p.pull.baseRef === base)
    .sort((a, b) => (direction === 'asc' ? a.number - b.number : b.number - a.number));
  const page = paginate(all, q, ctx.url);
  return {
    status: 200,
    body: page.items.map((p) => pullJson(ctx, p)),
    ...(page.link === undefined ? {} : { headers: { link: page.link } }),
  };
}

function createPull(ctx: RouteContext): Answer {
  const body = bodyObject(ctx.body);
  const title = requiredString(body, 'title', 'PullRequest');
  const headRaw = requiredString(body, 'head', 'PullRequest');
  const baseRef = requiredString(body, 'base', 'PullRequest');
  const text = optionalString(body, 'body', 'PullRequest');
  const head = parseHead(ctx, headRaw);
  const headSha = head === undefined ? undefined : ctx.repo.refs.get(`refs/heads/${head.ref}`);
  if (head === undefined || headSha === undefined) {
    throw validationFailed({ resource: 'PullRequest', field: 'head', code: 'invalid' });
  }
  const baseSha = ctx.repo.refs.get(`refs/heads/${baseRef}`);
  if (baseSha === undefined) {
    throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
  }
  if (pulls(ctx).some((p) => p.state === 'open' && p.pull.headRef === head.ref)) {
    const message = `A pull request already exists for ${head.label}.`;
    throw validationFailed({ resource: 'PullRequest', code: 'custom', message });
  }
  if (ctx.repo.objects.isAncestor(headSha, baseSha)) {
    const message = `No commits between ${baseRef} and ${head.ref}`;
    throw validationFailed({ resource: 'PullRequest', code: 'custom', message });
  }
  const pr: Pull = {
    id: ctx.world.nextId(),
    number: ctx.repo.nextNumber,
    title,
    body: text ?? null,
    state: 'open',
    stateReason: null,
    user: actorOf(ctx.token),
    labels: [],
    createdAt: ctx.now,
    updatedAt: ctx.now,
    closedAt: null,
    comments: 0,
    pull: { headRef: head.ref, headLabel: head.label, baseRef, draft: body.draft === true },
  };
  ctx.repo.nextNumber += 1;
  ctx.repo.issues.set(pr.number, pr);
  const json = pullJson(ctx, pr);
  return { status: 201, body: json, headers: { location: json.url as string } };
}

function findPull(ctx: RouteContext): Pull {
  const issue = findIssue(ctx);
  if (issue.pull === undefined) {
    throw notFound();
  }
  return issue as Pull;
}

function updatePull(ctx: RouteContext): Answer {
  const pr = findPull(ctx);
  const body = bodyObject(ctx.body);
  const title = optionalString(body, 'title', 'PullRequest');
  const state = optionalString(body, 'state', 'PullRequest');
  const base = optionalString(body, 'base', 'PullRequest');
  if (base !== undefined && ctx.repo.refs.get(`refs/heads/${base}`) === undefined) {
    throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
  }
  if (state !== undefined) {
    setState(pr, state, undefined, ctx.now);
    // A closed pull request has no state reason on GitHub; only issues carry one.
    pr.stateReason = null;
  }
  if (title !== undefined) {
    pr.title = title;
  }
  if ('body' in body) {
    pr.body = optionalString(body, 'body', 'PullRequest') ?? null;
  }
  if (base !== undefined) {
    pr.pull.baseRef = base;
  }
  pr.updatedAt = ctx.now;
  return { status: 200, body: pullJson(ctx, pr) };
}

export const pullRoutes: RepoRoute[] = [
  {
    method: 'GET',
    pattern: 'pulls',
    scope: 'pull_requests',
    docs: 'pulls/pulls#list-pull-requests',
    handle: listPulls,
  },
  {
    method: 'POST',
    pattern: 'pulls',
    scope: 'pull_requests',
    docs: 'pulls/pulls#create-a-pull-request',
    handle: createPull,
  },
  {
    method: 'GET',
    pattern: 'pulls/:number',
    scope: 'pull_requests',
    docs: 'pulls/pulls#get-a-pull-request',
    handle: (ctx) => ({ status: 200, body: pullJson(ctx, findPull(ctx)) }),
  },
  {
    method: 'PATCH',
    pattern: 'pulls/:number',
    scope: 'pull_requests',
    docs: 'pulls/pulls#update-a-pull-request',
    handle: updatePull,
  },
];
