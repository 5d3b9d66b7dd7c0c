import {
  bodyObject,
  invalidField,
  notFound,
  optionalString,
  paginate,
  requiredString,
  validationFailed,
} from './http.js';
import type { Answer, ApiError, FieldError } from './http.js';
import { iso, isoOrNull, labelJson, nodeId, userJson } from './json.js';
import { actorOf, HTML_BASE } from './model.js';
import type { CommentRecord, IssueRecord, LabelRecord, Repository } from './model.js';
import type { RepoRoute, RouteContext } from './router.js';

/** Issues, their comments and labels. Pull requests are issues too and show here. */

export const BODY_LIMIT = 65_536;

/**
 * GitHub words the limit differently per resource (and has changed the comment wording
 * over time); callers should match "body is too long" without regard to case.
 */
function bodyTooLong(resource: 'Issue' | 'IssueComment'): ApiError {
  const error: FieldError =
    resource === 'Issue'
      ? {
          resource,
          code: 'custom',
          field: 'body',
          message: `body is too long (maximum is ${BODY_LIMIT} characters)`,
        }
      : {
          resource,
          code: 'unprocessable',
          field: 'data',
          message: `Body is too long (maximum is ${BODY_LIMIT} characters)`,
        };
  return validationFailed(error);
}

function checkBody(body: string | undefined, resource: 'Issue' | 'IssueComment'): void {
  if (body !== undefined && body.length > BODY_LIMIT) {
    throw bodyTooLong(resource);
  }
}

export function issueJson(ctx: RouteContext, issue: IssueRecord): Record<string, unknown> {
  const repoUrl = ctx.world.repoUrl(ctx.repo);
  const html = `${HTML_BASE}/${ctx.repo.fullName}`;
  const kind = issue.pull === undefined ? 'issues' : 'pull';
  return {
    id: issue.id,
    node_id: nodeId(issue.pull === undefined ? 'Issue' : 'PullRequest', issue.id),
    url: `${repoUrl}/issues/${issue.number}`,
    repository_url: repoUrl,
    labels_url: `${repoUrl}/issues/${issue.number}/labels{/name}`,
    comments_url: `${repoUrl}/issues/${issue.number}/comments`,
    html_url: `${html}/${kind}/${issue.number}`,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.stateReason,
    user: userJson(ctx.world, issue.user),
    labels: labelsOf(ctx.repo, issue).map((l) => labelJson(ctx.world, ctx.repo, l)),
    assignee: null,
    assignees: [],
    locked: false,
    comments: issue.comments,
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_at: isoOrNull(issue.closedAt),
    author_association: 'NONE',
    ...(issue.pull === undefined
      ? {}
      : {
          pull_request: {
            url: `${repoUrl}/pulls/${issue.number}`,
            html_url: `${html}/pull/${issue.number}`,
            diff_url: `${html}/pull/${issue.number}.diff`,
            patch_url: `${html}/pull/${issue.number}.patch`,
            merged_at: null,
          },
        }),
  };
}

function labelsOf(repo: Repository, issue: IssueRecord): LabelRecord[] {
  return issue.labels
    .map((name) => repo.label(name))
    .filter((l): l is LabelRecord => l !== undefined);
}

function commentJson(ctx: RouteContext, c: CommentRecord): Record<string, unknown> {
  const repoUrl = ctx.world.repoUrl(ctx.repo);
  const issue = ctx.repo.issues.get(c.issueNumber);
  const kind = issue?.pull === undefined ? 'issues' : 'pull';
  return {
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    url: `${repoUrl}/issues/comments/${c.id}`,
    html_url: `${HTML_BASE}/${ctx.repo.fullName}/${kind}/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${repoUrl}/issues/${c.issueNumber}`,
    body: c.body,
    user: userJson(ctx.world, c.user),
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    author_association: 'NONE',
  };
}

export function createLabel(
  ctx: RouteContext,
  name: string,
  color = 'ededed',
  description: string | null = null,
): LabelRecord {
  const label: LabelRecord = { id: ctx.world.nextId(), name, color, description };
  ctx.repo.labels.set(name.toLowerCase(), label);
  return label;
}

/** Label names from a request: strings, or objects with a name, as GitHub accepts both. */
function parseLabelNames(raw: unknown, resource: string): string[] {
  const list = Array.isArray(raw) ? raw : bodyObject(raw).labels;
  if (!Array.isArray(list)) {
    throw invalidField(resource, 'labels', list);
  }
  return list.map((item: unknown) => {
    if (typeof item === 'string') {
      return item;
    }
    const name =
      typeof item === 'object' && item !== null ? (item as { name?: unknown }).name : undefined;
    if (typeof name !== 'string') {
      throw invalidField(resource, 'labels', item);
    }
    return name;
  });
}

/**
 * Resolve names to existing labels' spelling. Unknown names are created when the token
 * may create labels; otherwise GitHub refuses the whole request.
 */
export function resolveLabels(ctx: RouteContext, names: string[]): string[] {
  const unknown = names.filter((n) => ctx.repo.label(n) === undefined);
  if (unknown.length > 0 && !ctx.token.canCreateLabels) {
    throw validationFailed(
      ...unknown.map((value) => ({ value, resource: 'Label', field: 'name', code: 'invalid' })),
    );
  }
  for (const name of unknown) {
    createLabel(ctx, name);
  }
  const out: string[] = [];
  for (const n of names) {
    const name = (ctx.repo.label(n) as LabelRecord).name;
    if (!out.includes(name)) {
      out.push(name);
    }
  }
  return out;
}

export function findIssue(ctx: RouteContext): IssueRecord {
  const raw = ctx.params.number as string;
  const issue = /^\d+$/.test(raw) ? ctx.repo.issues.get(Number(raw)) : undefined;
  if (issue === undefined) {
    throw notFound();
  }
  return issue;
}

// ---- issues

function issueSorter(sort: string, direction: string): (a: IssueRecord, b: IssueRecord) => number {
  const key = (i: IssueRecord): number =>
    sort === 'updated'
      ? i.updatedAt.getTime()
      : sort === 'comments'
        ? i.comments
        : i.createdAt.getTime();
  const sign = direction === 'asc' ? 1 : -1;
  // Equal keys fall back to the number, so pages never shuffle between requests.
  return (a, b) => sign * (key(a) - key(b) || a.number - b.number);
}

function listIssues(ctx: RouteContext): Answer {
  const q = ctx.query;
  const state = q.get('state') ?? 'open';
  const creator = q.get('creator')?.toLowerCase();
  const wanted = (q.get('labels') ?? '')
    .split(',')
    .map((l) => l.trim().toLowerCase())
    .filter((l) => l !== '');
  const since = q.get('since');
  const sinceMs = since === null ? undefined : new Date(since).getTime();
  const all = [...ctx.repo.issues.values()]
    .filter((i) => state === 'all' || i.state === state)
    .filter((i) => creator === undefined || i.user.login.toLowerCase() === creator)
    .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
    .filter((i) => sinceMs === undefined || i.updatedAt.getTime() >= sinceMs)
    .sort(issueSorter(q.get('sort') ?? 'created', q.get('direction') ?? 'desc'));
  const page = paginate(all, q, ctx.url);
  return {
    status: 200,
    body: page.items.map((i) => issueJson(ctx, i)),
    ...(page.link === undefined ? {} : { headers: { link: page.link } }),
  };
}

function createIssue(ctx: RouteContext): Answer {
  const body = bodyObject(ctx.body);
  const title = requiredString(body, 'title', 'Issue');
  const text = optionalString(body, 'body', 'Issue');
  checkBody(text, 'Issue');
  const labels =
    body.labels === undefined ? [] : resolveLabels(ctx, parseLabelNames(body.labels, 'Issue'));
  const issue: IssueRecord = {
    id: ctx.world.nextId(),
    number: ctx.repo.nextNumber,
    title,
    body: text ?? null,
    state: 'open',
    stateReason: null,
    user: actorOf(ctx.token),
    labels,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    closedAt: null,
    comments: 0,
  };
  ctx.repo.nextNumber += 1;
  ctx.repo.issues.set(issue.number, issue);
  const json = issueJson(ctx, issue);
  return { status: 201, body: json, headers: { location: json.url as string } };
}

function getIssue(ctx: RouteContext): Answer {
  return { status: 200, body: issueJson(ctx, findIssue(ctx)) };
}

/** Open or close an issue (or pull request), keeping closed_at and state_reason honest. */
export function setState(
  issue: IssueRecord,
  state: string,
  reason: string | undefined,
  now: Date,
): void {
  if (state !== 'open' && state !== 'closed') {
    throw invalidField('Issue', 'state', state);
  }
  if (state === 'closed' && issue.state === 'open') {
    issue.closedAt = now;
    issue.stateReason = reason ?? 'completed';
  } else if (state === 'open' && issue.state === 'closed') {
    issue.closedAt = null;
    issue.stateReason = 'reopened';
  } else if (reason !== undefined) {
    issue.stateReason = reason;
  }
  issue.state = state;
}

function updateIssue(ctx: RouteContext): Answer {
  const issue = findIssue(ctx);
  const body = bodyObject(ctx.body);
  const title = optionalString(body, 'title', 'Issue');
  const text = optionalString(body, 'body', 'Issue');
  checkBody(text, 'Issue');
  const labels =
    body.labels === undefined
      ? undefined
      : resolveLabels(ctx, parseLabelNames(body.labels, 'Issue'));
  const state = optionalString(body, 'state', 'Issue');
  const reason = optionalString(body, 'state_reason', 'Issue');
  if (state !== undefined) {
    setState(issue, state, reason, ctx.now);
  }
  if (title !== undefined) {
    issue.title = title;
  }
  if ('body' in body) {
    issue.body = text ?? null;
  }
  if (labels !== undefined) {
    issue.labels = labels;
  }
  issue.updatedAt = ctx.now;
  return { status: 200, body: issueJson(ctx, issue) };
}

// ---- comments

function listComments(ctx: RouteContext): Answer {
  const issue = findIssue(ctx);
  const all = ctx.repo.comments.filter((c) => c.issueNumber === issue.number);
  const page = paginate(all, ctx.query, ctx.url);
  return {
    status: 200,
    body: page.items.map((c) => commentJson(ctx, c)),
    ...(page.link === undefined ? {} : { headers: { link: page.link } }),
  };
}

function createComment(ctx: RouteContext): Answer {
  const issue = findIssue(ctx);
  const text = requiredString(bodyObject(ctx.body), 'body', 'IssueComment');
  checkBody(text, 'IssueComment');
  const comment: CommentRecord = {
    id: ctx.world.nextId(),
    issueNumber: issue.number,
    body: text,
    user: actorOf(ctx.token),
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  ctx.repo.comments.push(comment);
  issue.comments += 1;
  issue.updatedAt = ctx.now;
  const json = commentJson(ctx, comment);
  return { status: 201, body: json, headers: { location: json.url as string } };
}

function findComment(ctx: RouteContext): CommentRecord {
  const id = Number(ctx.params.id);
  const comment = ctx.repo.comments.find((c) => c.id === id);
  if (comment === undefined) {
    throw notFound();
  }
  return comment;
}

function getComment(ctx: RouteContext): Answer {
  return { status: 200, body: commentJson(ctx, findComment(ctx)) };
}

function updateComment(ctx: RouteContext): Answer {
  const comment = findComment(ctx);
  const text = requiredString(bodyObject(ctx.body), 'body', 'IssueComment');
  checkBody(text, 'IssueComment');
  comment.body = text;
  comment.updatedAt = ctx.now;
  return { status: 200, body: commentJson(ctx, comment) };
}

// ---- labels

function listLabels(ctx: RouteContext): Answer {
  const page = paginate([...ctx.repo.labels.values()], ctx.query, ctx.url);
  return {
    status: 200,
    body: page.items.map((l) => labelJson(ctx.world, ctx.repo, l)),
    ...(page.link === undefined ? {} : { headers: { link: page.link } }),
  };
}

function postLabel(ctx: RouteContext): Answer {
  const body = bodyObject(ctx.body);
  const name = requiredString(body, 'name', 'Label');
  if (ctx.repo.label(name) !== undefined) {
    throw validationFailed({ resource: 'Label', code: 'already_exists', field: 'name' });
  }
  const color = (optionalString(body, 'color', 'Label') ?? 'ededed').replace(/^#/, '');
  const label = createLabel(ctx, name, color, optionalString(body, 'description', 'Label') ?? null);
  const json = labelJson(ctx.world, ctx.repo, label);
  return { status: 201, body: json, headers: { location: json.url as string } };
}

function getLabel(ctx: RouteContext): Answer {
  const label = ctx.repo.label(ctx.params.name as string);
  if (label === undefined) {
    throw notFound();
  }
  return { status: 200, body: labelJson(ctx.world, ctx.repo, label) };
}

function issueLabels(ctx: RouteContext, issue: IssueRecord): Answer {
  return {
    status: 200,
    body: labelsOf(ctx.repo, issue).map((l) => labelJson(ctx.world, ctx.repo, l)),
  };
}

function addIssueLabels(ctx: RouteContext): Answer {
  const issue = findIssue(ctx);
  const names = resolveLabels(ctx, parseLabelNames(ctx.body, 'Label'));
  for (const name of names) {
    if (!issue.labels.includes(name)) {
      issue.labels.push(name);
    }
  }
  issue.updatedAt = ctx.now;
  return issueLabels(ctx, issue);
}

export const issueRoutes: RepoRoute[] = [
  {
    method: 'GET',
    pattern: 'issues',
    scope: 'issues',
    docs: 'issues/issues#list-repository-issues',
    handle: listIssues,
  },
  {
    method: 'POST',
    pattern: 'issues',
    scope: 'issues',
    docs: 'issues/issues#create-an-issue',
    handle: createIssue,
  },
  {
    method: 'GET',
    pattern: 'issues/comments/:id',
    scope: 'issues',
    docs: 'issues/comments#get-an-issue-comment',
    handle: getComment,
  },
  {
    method: 'PATCH',
    pattern: 'issues/comments/:id',
    scope: 'issues',
    docs: 'issues/comments#update-an-issue-comment',
    handle: updateComment,
  },
  {
    method: 'GET',
    pattern: 'issues/:number',
    scope: 'issues',
    docs: 'issues/issues#get-an-issue',
    handle: getIssue,
  },
  {
    method: 'PATCH',
    pattern: 'issues/:number',
    scope: 'issues',
    docs: 'issues/issues#update-an-issue',
    handle: updateIssue,
  },
  {
    method: 'GET',
    pattern: 'issues/:number/comments',
    scope: 'issues',
    docs: 'issues/comments#list-issue-comments',
    handle: listComments,
  },
  {
    method: 'POST',
    pattern: 'issues/:number/comments',
    scope: 'issues',
    docs: 'issues/comments#create-an-issue-comment',
    handle: createComment,
  },
  {
    method: 'GET',
    pattern: 'issues/:number/labels',
    scope: 'issues',
    docs: 'issues/labels#list-labels-for-an-issue',
    handle: (ctx) => issueLabels(ctx, findIssue(ctx)),
  },
  {
    method: 'POST',
    pattern: 'issues/:number/labels',
    scope: 'issues',
    docs: 'issues/labels#add-labels-to-an-issue',
    handle: addIssueLabels,
  },
  {
    method: 'GET',
    pattern: 'labels',
    scope: 'issues',
    docs: 'issues/labels#list-labels-for-a-repository',
    handle: listLabels,
  },
  {
    method: 'POST',
    pattern: 'labels',
    scope: 'issues',
    docs: 'issues/labels#create-a-label',
    handle: postLabel,
  },
  {
    method: 'GET',
    pattern: 'labels/:name',
    scope: 'issues',
    docs: 'issues/labels#get-a-label',
    handle: getLabel,
  },
];
