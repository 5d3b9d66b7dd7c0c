import {
  ApiError,
  bodyObject,
  invalidField,
  notFound,
  optionalString,
  requiredString,
  unprocessable,
  validationFailed,
} from './http.js';
import type { Answer } from './http.js';
import type { CommitObject, ObjectType, Signature, TreeObject } from './git-objects.js';
import { EMPTY_TREE_SHA } from './git-objects.js';
import { iso, nodeId } from './json.js';
import { HTML_BASE } from './model.js';
import type { Repository } from './model.js';
import type { RepoRoute, RouteContext } from './router.js';
import { buildTree } from './tree-edit.js';
import type { TreeEdit } from './tree-edit.js';

/**
 * The git database endpoints: blobs, trees, commits and refs. Ref writes are the ledger's
 * compare-and-swap, so their checks and their messages follow GitHub exactly.
 */

export const REF_ALREADY_EXISTS = 'Reference already exists';
export const REF_DOES_NOT_EXIST = 'Reference does not exist';
export const REF_BAD_NAME = "Reference name must start with 'refs/' and have at least two slashes.";
export const REF_UPDATE_FAILED = 'Reference update failed';
export const OBJECT_DOES_NOT_EXIST = 'Object does not exist';
export const NOT_FAST_FORWARD = 'Update is not a fast forward';
export const REPOSITORY_EMPTY = 'Git Repository is empty.';
export const TREE_DOES_NOT_EXIST = 'Tree SHA does not exist';
export const PARENT_DOES_NOT_EXIST = 'Parent SHA does not exist or is not a commit object';
export const BASE_TREE_INVALID = 'base_tree is not a valid tree oid';

/** GitHub refuses every git data call in a repository that has no commit yet. */
function requireNotEmpty(repo: Repository): void {
  if (repo.isEmpty) {
    throw new ApiError(409, REPOSITORY_EMPTY);
  }
}

function gitUrl(ctx: RouteContext, kind: string, sha: string): string {
  return `${ctx.world.repoUrl(ctx.repo)}/git/${kind}/${sha}`;
}

// ---- blobs

function createBlob(ctx: RouteContext): Answer {
  requireNotEmpty(ctx.repo);
  const body = bodyObject(ctx.body);
  const content = requiredString(body, 'content', 'Blob');
  const encoding = optionalString(body, 'encoding', 'Blob') ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'utf8' && encoding !== 'base64') {
    throw invalidField('Blob', 'encoding', encoding);
  }
  const bytes = Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8');
  const blob = ctx.repo.objects.putBlob(bytes);
  const url = gitUrl(ctx, 'blobs', blob.sha);
  return { status: 201, body: { url, sha: blob.sha }, headers: { location: url } };
}

function getBlob(ctx: RouteContext): Answer {
  requireNotEmpty(ctx.repo);
  const blob = ctx.repo.objects.blob(ctx.params.sha as string);
  if (blob === undefined) {
    throw notFound();
  }
  // GitHub wraps blob content at 60 base64 characters per line.
  const wrapped = (blob.content.toString('base64').match(/.{1,60}/g) ?? []).join('\n');
  return {
    status: 200,
    body: {
      sha: blob.sha,
      node_id: nodeId('Blob', blob.sha),
      size: blob.content.length,
      url: gitUrl(ctx, 'blobs', blob.sha),
      content: wrapped === '' ? '' : `${wrapped}\n`,
      encoding: 'base64',
    },
  };
}

// ---- trees

function treeJson(
  ctx: RouteContext,
  tree: TreeObject,
  recursive: boolean,
): Record<string, unknown> {
  const entries: Record<string, unknown>[] = [];
  const visit = (t: TreeObject, prefix: string): void => {
    for (const e of t.entries) {
      const path = `${prefix}${e.name}`;
      const blob = e.type === 'blob' ? ctx.repo.objects.blob(e.sha) : undefined;
      entries.push({
        path,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        ...(blob === undefined ? {} : { size: blob.content.length }),
        ...(e.type === 'commit' ? {} : { url: gitUrl(ctx, `${e.type}s`, e.sha) }),
      });
      const sub = e.type === 'tree' && recursive ? ctx.repo.objects.tree(e.sha) : undefined;
      if (sub !== undefined) {
        visit(sub, `${path}/`);
      }
    }
  };
  visit(tree, '');
  return { sha: tree.sha, url: gitUrl(ctx, 'trees', tree.sha), tree: entries, truncated: false };
}

function parseTreeEdits(raw: unknown): TreeEdit[] {
  if (!Array.isArray(raw)) {
    throw validationFailed({ resource: 'Tree', field: 'tree', code: 'missing_field' });
  }
  return raw.map((item: unknown): TreeEdit => {
    const e = bodyObject(item);
    const edit: TreeEdit = {
      path: requiredString(e, 'path', 'Tree'),
      mode: requiredString(e, 'mode', 'Tree'),
    };
    const type = optionalString(e, 'type', 'Tree');
    if (type !== undefined) {
      if (type !== 'blob' && type !== 'tree' && type !== 'commit') {
        throw unprocessable('Invalid tree info');
      }
      edit.type = type;
    }
    if ('sha' in e) {
      edit.sha = e.sha === null ? null : requiredString(e, 'sha', 'Tree');
    }
    const content = optionalString(e, 'content', 'Tree');
    if (content !== undefined) {
      edit.content = content;
    }
    return edit;
  });
}

function createTree(ctx: RouteContext): Answer {
  requireNotEmpty(ctx.repo);
  const body = bodyObject(ctx.body);
  const base = optionalString(body, 'base_tree', 'Tree');
  if (base !== undefined && !ctx.repo.objects.has(base, 'tree')) {
    throw unprocessable(BASE_TREE_INVALID);
  }
  const sha = buildTree(ctx.repo.objects, base, parseTreeEdits(body.tree));
  const tree = ctx.repo.objects.tree(sha) as TreeObject;
  const url = gitUrl(ctx, 'trees', sha);
  return { status: 201, body: treeJson(ctx, tree, false), headers: { location: url } };
}

/** GitHub's `tree_sha` also takes a commit or a branch or tag name. */
function resolveTree(ctx: RouteContext, treeish: string): TreeObject | undefined {
  const objects = ctx.repo.objects;
  const direct = objects.get(treeish);
  if (direct?.type === 'tree') {
    return direct;
  }
  if (direct?.type === 'commit') {
    return objects.tree(direct.tree);
  }
  for (const name of [`refs/heads/${treeish}`, `refs/tags/${treeish}`, treeish]) {
    const sha = ctx.repo.refs.get(name);
    const commit = sha === undefined ? undefined : objects.commit(sha);
    if (commit !== undefined) {
      return objects.tree(commit.tree);
    }
  }
  return undefined;
}

function getTree(ctx: RouteContext): Answer {
  requireNotEmpty(ctx.repo);
  const tree = resolveTree(ctx, ctx.params.sha as string);
  if (tree === undefined) {
    throw notFound();
  }
  const recursive = (ctx.query.get('recursive') ?? '') !== '';
  return { status: 200, body: treeJson(ctx, tree, recursive) };
}

// ---- commits

function signatureJson(s: Signature): Record<string, unknown> {
  return { name: s.name, email: s.email, date: iso(s.date) };
}

export function commitJson(ctx: RouteContext, c: CommitObject): Record<string, unknown> {
  const html = `${HTML_BASE}/${ctx.repo.fullName}/commit`;
  return {
    sha: c.sha,
    node_id: nodeId('Commit', c.sha),
    url: gitUrl(ctx, 'commits', c.sha),
    html_url: `${html}/${c.sha}`,
    author: signatureJson(c.author),
    committer: signatureJson(c.committer),
    tree: { sha: c.tree, url: gitUrl(ctx, 'trees', c.tree) },
    message: c.message,
    parents: c.parents.map((p) => ({
      sha: p,
      url: gitUrl(ctx, 'commits', p),
      html_url: `${html}/${p}`,
    })),
    verification: {
      verified: false,
      reason: 'unsigned',
      signature: null,
      payload: null,
      verified_at: null,
    },
  };
}

/** An ISO 8601 date with its zone, kept as git's `+hhmm` so the commit id is faithful. */
function parseDate(raw: string): { date: Date; zone: string } {
  const date = new Date(raw);
  if (Number.isNaN(date.getTime())) {
    throw invalidField('Commit', 'date', raw);
  }
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(raw);
  const zone = offset === null ? '+0000' : `${offset[1]}${offset[2]}${offset[3]}`;
  return { date, zone };
}

function parseSignature(raw: unknown, fallback: Signature): Signature {
  if (raw === undefined || raw === null) {
    return fallback;
  }
  const s = bodyObject(raw);
  const name = requiredString(s, 'name', 'Commit');
  const email = requiredString(s, 'email', 'Commit');
  const date = optionalString(s, 'date', 'Commit');
  if (date === undefined) {
    return { name, email, date: fallback.date, zone: fallback.zone };
  }
  return { name, email, ...parseDate(date) };
}

function createCommit(ctx: RouteContext): Answer {
  requireNotEmpty(ctx.repo);
  const body = bodyObject(ctx.body);
  const message = requiredString(body, 'message', 'Commit');
  const tree = requiredString(body, 'tree', 'Commit').toLowerCase();
  if (tree === EMPTY_TREE_SHA) {
    // GitHub stopped accepting the well-known empty tree and fails with a bare 500.
    throw new ApiError(500, 'Server Error');
  }
  if (!ctx.repo.objects.has(tree, 'tree')) {
    throw unprocessable(TREE_DOES_NOT_EXIST);
  }
  const parents = parseParents(ctx, body.parents);
  const self: Signature = {
    name: ctx.token.login,
    email: `${ctx.token.userId}+${ctx.token.login}@users.noreply.github.com`,
    date: ctx.now,
    zone: '+0000',
  };
  const author = parseSignature(body.author, self);
  const committer = parseSignature(body.committer, author);
  const commit = ctx.repo.objects.putCommit({ tree, parents, author, committer, message });
  const json = commitJson(ctx, commit);
  return { status: 201, body: json, headers: { location: json.url as string } };
}

function parseParents(ctx: RouteContext, raw: unknown): string[] {
  if (raw === undefined || raw === null) {
    return [];
  }
  if (!Array.isArray(raw) || raw.some((p) => typeof p !== 'string')) {
    throw invalidField('Commit', 'parents', raw);
  }
  const parents = (raw as string[]).map((p) => p.toLowerCase());
  for (const p of parents) {
    if (!ctx.repo.objects.has(p, 'commit')) {
      throw unprocessable(PARENT_DOES_NOT_EXIST);
    }
  }
  return parents;
}

function getCommit(ctx: RouteContext): Answer {
  requireNotEmpty(ctx.repo);
  const commit = ctx.repo.objects.commit(ctx.params.sha as string);
  if (commit === undefined) {
    throw notFound();
  }
  return { status: 200, body: commitJson(ctx, commit) };
}

// ---- refs

function objectType(ctx: RouteContext, sha: string): ObjectType {
  return ctx.repo.objects.get(sha)?.type ?? 'commit';
}

export function refJson(ctx: RouteContext, name: string, sha: string): Record<string, unknown> {
  const type = objectType(ctx, sha);
  return {
    ref: name,
    node_id: nodeId('Ref', `${ctx.repo.id}:${name}`),
    url: `${ctx.world.repoUrl(ctx.repo)}/git/${name}`,
    object: { sha, type, url: gitUrl(ctx, `${type}s`, sha) },
  };
}

function getRef(ctx: RouteContext): Answer {
  requireNotEmpty(ctx.repo);
  const name = `refs/${ctx.params.ref as string}`;
  const sha = ctx.repo.refs.get(name, ctx.readAsOf);
  if (sha === undefined) {
    throw notFound();
  }
  return { status: 200, body: refJson(ctx, name, sha) };
}

function matchingRefs(ctx: RouteContext): Answer {
  requireNotEmpty(ctx.repo);
  const prefix = `refs/${ctx.params.ref as string}`;
  const names = ctx.repo.refs.names(prefix, ctx.readAsOf);
  const refs = names.map((n) => refJson(ctx, n, ctx.repo.refs.get(n, ctx.readAsOf) as string));
  return { status: 200, body: refs };
}

/** Git's own ref-name rules (check-ref-format), beyond GitHub's two-slash rule. */
function isWellFormedRef(name: string): boolean {
  const hasControl = [...name].some((ch) => ch.charCodeAt(0) <= 0x20 || ch.charCodeAt(0) === 0x7f);
  if (hasControl || /[~^:?*[\\]/.test(name) || name.includes('..') || name.includes('@{')) {
    return false;
  }
  if (name.endsWith('/') || name.endsWith('.') || name.includes('//')) {
    return false;
  }
  return name.split('/').every((c) => !c.startsWith('.') && !c.endsWith('.lock'));
}

function createRef(ctx: RouteContext): Answer {
  const body = bodyObject(ctx.body);
  const name = requiredString(body, 'ref', 'Reference');
  const sha = requiredString(body, 'sha', 'Reference').toLowerCase();
  requireNotEmpty(ctx.repo);
  if (!name.startsWith('refs/') || name.split('/').length < 3) {
    throw unprocessable(REF_BAD_NAME);
  }
  if (!isWellFormedRef(name)) {
    throw unprocessable(REF_UPDATE_FAILED);
  }
  if (!ctx.repo.objects.has(sha)) {
    throw unprocessable(OBJECT_DOES_NOT_EXIST);
  }
  if (ctx.repo.refs.get(name) !== undefined) {
    throw unprocessable(REF_ALREADY_EXISTS);
  }
  ctx.repo.refs.set(name, sha, ctx.now);
  const json = refJson(ctx, name, sha);
  return { status: 201, body: json, headers: { location: json.url as string } };
}

function updateRef(ctx: RouteContext): Answer {
  const body = bodyObject(ctx.body);
  const sha = requiredString(body, 'sha', 'Reference').toLowerCase();
  const force = body.force === true;
  requireNotEmpty(ctx.repo);
  const name = `refs/${ctx.params.ref as string}`;
  if (!ctx.repo.objects.has(sha)) {
    throw unprocessable(OBJECT_DOES_NOT_EXIST);
  }
  const current = ctx.repo.refs.get(name);
  if (current === undefined) {
    throw unprocessable(REF_DOES_NOT_EXIST);
  }
  // The check and the move happen in one synchronous step, so concurrent PATCHes from the
  // same tip cannot both pass: exactly one fast-forwards, the others see the new tip.
  if (!force && !ctx.repo.objects.isAncestor(current, sha)) {
    throw unprocessable(NOT_FAST_FORWARD);
  }
  if (current !== sha) {
    ctx.repo.refs.set(name, sha, ctx.now);
  }
  return { status: 200, body: refJson(ctx, name, sha) };
}

function deleteRef(ctx: RouteContext): Answer {
  requireNotEmpty(ctx.repo);
  const name = `refs/${ctx.params.ref as string}`;
  if (ctx.repo.refs.get(name) === undefined) {
    throw unprocessable(REF_DOES_NOT_EXIST);
  }
  ctx.repo.refs.set(name, null, ctx.now);
  return { status: 204 };
}

export const gitRoutes: RepoRoute[] = [
  {
    method: 'POST',
    pattern: 'git/blobs',
    scope: 'contents',
    docs: 'git/blobs#create-a-blob',
    handle: createBlob,
  },
  {
    method: 'GET',
    pattern: 'git/blobs/:sha',
    scope: 'contents',
    docs: 'git/blobs#get-a-blob',
    handle: getBlob,
  },
  {
    method: 'POST',
    pattern: 'git/trees',
    scope: 'contents',
    docs: 'git/trees#create-a-tree',
    handle: createTree,
  },
  {
    method: 'GET',
    pattern: 'git/trees/*sha',
    scope: 'contents',
    docs: 'git/trees#get-a-tree',
    handle: getTree,
  },
  {
    method: 'POST',
    pattern: 'git/commits',
    scope: 'contents',
    docs: 'git/commits#create-a-commit',
    handle: createCommit,
  },
  {
    method: 'GET',
    pattern: 'git/commits/:sha',
    scope: 'contents',
    docs: 'git/commits#get-a-commit-object',
    handle: getCommit,
  },
  {
    method: 'GET',
    pattern: 'git/ref/*ref',
    scope: 'contents',
    docs: 'git/refs#get-a-reference',
    refRead: true,
    handle: getRef,
  },
  {
    method: 'GET',
    pattern: 'git/matching-refs/*ref',
    scope: 'contents',
    docs: 'git/refs#list-matching-references',
    refRead: true,
    handle: matchingRefs,
  },
  {
    method: 'POST',
    pattern: 'git/refs',
    scope: 'contents',
    docs: 'git/refs#create-a-reference',
    handle: createRef,
  },
  {
    method: 'PATCH',
    pattern: 'git/refs/*ref',
    scope: 'contents',
    docs: 'git/refs#update-a-reference',
    handle: updateRef,
  },
  {
    method: 'DELETE',
    pattern: 'git/refs/*ref',
    scope: 'contents',
    docs: 'git/refs#delete-a-reference',
    handle: deleteRef,
  },
];
