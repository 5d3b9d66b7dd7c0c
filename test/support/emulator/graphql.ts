import { allows } from './auth.js';
import type { TokenRecord } from './auth.js';
import type { CommitObject } from './git-objects.js';
import type { Repository, World } from './model.js';

/**
 * The two GraphQL documents the product sends, recognised by operation name and answered
 * with GitHub's shapes. This is not a GraphQL engine: anything else gets an error.
 */

export const READ_LEDGER = 'CronwardenReadLedger';
export const LEDGER_HISTORY = 'CronwardenLedgerHistory';
export const SUPPORTED_OPERATIONS: readonly string[] = [READ_LEDGER, LEDGER_HISTORY];

const MAX_FIRST = 100;

interface GraphqlError {
  message: string;
  type?: string;
  path?: (string | number)[];
  locations?: { line: number; column: number }[];
  extensions?: Record<string, unknown>;
}

export interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName: string | undefined;
}

/** The operation name from the body, or else from the document's first operation. */
export function parseGraphqlRequest(body: unknown): GraphqlRequest {
  const o = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const query = typeof o.query === 'string' ? o.query : '';
  const variables =
    typeof o.variables === 'object' && o.variables !== null
      ? (o.variables as Record<string, unknown>)
      : {};
  const named =
    /^\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(query);
  const operationName = typeof o.operationName === 'string' ? o.operationName : named?.[1];
  return { query, variables, operationName };
}

export interface GraphqlContext {
  world: World;
  token: TokenRecord;
  /** Set by a `stale` fault: refs resolve to the value they had at this instant. */
  readAsOf?: Date;
}

export function answerGraphql(
  ctx: GraphqlContext,
  request: GraphqlRequest,
): Record<string, unknown> {
  const op = request.operationName;
  if (op === undefined || !SUPPORTED_OPERATIONS.includes(op)) {
    const name = op ?? 'an anonymous operation';
    const message =
      `The GitHub API emulator does not support ${name}; ` +
      `it answers only ${SUPPORTED_OPERATIONS.join(' and ')}.`;
    return { errors: [{ message }] };
  }
  const problems = checkVariables(request.variables, op);
  if (problems.length > 0) {
    return { errors: problems };
  }
  return answerRepository(ctx, request.variables, op);
}

function checkVariables(v: Record<string, unknown>, op: string): GraphqlError[] {
  const wanted: [string, string][] = [
    ['owner', 'String!'],
    ['name', 'String!'],
    ['ref', 'String!'],
  ];
  if (op === LEDGER_HISTORY) {
    wanted.push(['first', 'Int!']);
  }
  const errors: GraphqlError[] = [];
  for (const [name, type] of wanted) {
    const ok = type === 'Int!' ? Number.isInteger(v[name]) : typeof v[name] === 'string';
    if (!ok) {
      errors.push({
        message: `Variable $${name} of type ${type} was provided invalid value`,
        extensions: { value: v[name] ?? null },
      });
    }
  }
  if (
    op === LEDGER_HISTORY &&
    v.after !== undefined &&
    v.after !== null &&
    typeof v.after !== 'string'
  ) {
    errors.push({ message: 'Variable $after of type String was provided invalid value' });
  }
  return errors;
}

function answerRepository(
  ctx: GraphqlContext,
  v: Record<string, unknown>,
  op: string,
): Record<string, unknown> {
  const fullName = `${v.owner as string}/${v.name as string}`;
  const repo = ctx.world.repo(fullName);
  if (repo === undefined) {
    return {
      data: { repository: null },
      errors: [
        {
          type: 'NOT_FOUND',
          path: ['repository'],
          locations: [{ line: 2, column: 3 }],
          message: `Could not resolve to a Repository with the name '${fullName}'.`,
        },
      ],
    };
  }
  if (!allows(ctx.token, 'contents', 'read')) {
    return {
      data: { repository: { ref: null } },
      errors: [
        {
          type: 'FORBIDDEN',
          path: ['repository', 'ref'],
          locations: [{ line: 3, column: 5 }],
          message: 'Resource not accessible by integration',
        },
      ],
    };
  }
  const tip = resolveQualifiedRef(repo, v.ref as string, ctx.readAsOf);
  if (tip === undefined) {
    return { data: { repository: { ref: null } } };
  }
  const commit = repo.objects.commit(tip);
  if (op === READ_LEDGER) {
    const target = commit === undefined ? { oid: tip } : { oid: tip, message: commit.message };
    return { data: { repository: { ref: { target } } } };
  }
  return historyAnswer(repo, tip, commit, v);
}

/**
 * GitHub tries the name as given when it is fully qualified, then as a branch, then as a
 * tag (its `qualifiedName` accepts `main` as well as `refs/heads/main`).
 */
function resolveQualifiedRef(repo: Repository, name: string, asOf?: Date): string | undefined {
  const candidates = name.startsWith('refs/')
    ? [name]
    : [`refs/heads/${name}`, `refs/tags/${name}`];
  for (const candidate of candidates) {
    const sha = repo.refs.get(candidate, asOf);
    if (sha !== undefined) {
      return sha;
    }
  }
  return undefined;
}

/** Cursors look like GitHub's: base64 of "<tip oid> <index>". */
function cursor(tip: string, index: number): string {
  return Buffer.from(`${tip} ${index}`, 'utf8').toString('base64');
}

function cursorIndex(tip: string, raw: string): number | undefined {
  const [oid, index] = Buffer.from(raw, 'base64').toString('utf8').split(' ');
  const n = Number(index);
  return oid === tip && Number.isInteger(n) && n >= 0 ? n : undefined;
}

function historyAnswer(
  repo: Repository,
  tip: string,
  commit: CommitObject | undefined,
  v: Record<string, unknown>,
): Record<string, unknown> {
  const first = v.first as number;
  if (first > MAX_FIRST || first < 0) {
    const message =
      `Requesting ${first} records on the \`history\` connection exceeds the ` +
      `\`first\` limit of ${MAX_FIRST} records.`;
    return { data: null, errors: [{ type: 'EXCESSIVE_PAGINATION', message }] };
  }
  if (commit === undefined) {
    return { data: { repository: { ref: { target: {} } } } };
  }
  const after = typeof v.after === 'string' ? v.after : undefined;
  const start = after === undefined ? 0 : cursorIndex(tip, after);
  if (start === undefined) {
    return {
      data: null,
      errors: [{ message: `\`${after as string}\` does not appear to be a valid cursor.` }],
    };
  }
  const from = after === undefined ? 0 : start + 1;
  const all = repo.objects.history(tip);
  const nodes = all.slice(from, from + first).map((c) => ({ oid: c.sha, message: c.message }));
  const last = from + nodes.length - 1;
  const pageInfo = {
    hasNextPage: from + nodes.length < all.length,
    endCursor: nodes.length === 0 ? null : cursor(tip, last),
  };
  return { data: { repository: { ref: { target: { history: { nodes, pageInfo } } } } } };
}
