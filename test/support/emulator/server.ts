import type { IncomingMessage, ServerResponse } from 'node:http';

import { allows, readCredentials } from './auth.js';
import type { Credentials, RateLimiter, RateResource, RateState, TokenRecord } from './auth.js';
import type { Faults, FaultPlan } from './faults.js';
import { answerGraphql, parseGraphqlRequest } from './graphql.js';
import type { GraphqlRequest } from './graphql.js';
import { ApiError, errorBody, parseJsonBody, statusMessage } from './http.js';
import type { Answer } from './http.js';
import type { World } from './model.js';
import { accessFor, DOCS_BASE } from './router.js';
import type { RepoRoute, RepoRouter, RouteContext } from './router.js';
import { rateLimitJson } from './routes-repo.js';

/** One request as the emulator saw it, for assertions and the CLI's log. */
export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** Emulator time when the request arrived. */
  at: Date;
  /** The token as sent, when there was one (test tokens only: this log stays in memory). */
  token?: string;
  /** The login of a known token. */
  login?: string;
  body?: unknown;
  /** The GraphQL operation, for `POST /graphql`. */
  operationName?: string;
}

export interface ServerDeps {
  world: World;
  router: RepoRouter;
  limiter: RateLimiter;
  faults: Faults;
  log: RequestLogEntry[];
  listeners: ((entry: RequestLogEntry) => void)[];
}

type Endpoint =
  | { kind: 'repo'; fullName: string; route: RepoRoute; params: Record<string, string> }
  | { kind: 'graphql'; request: GraphqlRequest }
  | { kind: 'rate_limit' }
  | { kind: 'unknown' };

/** Everything known about one request while it is being answered. */
interface Exchange {
  method: string;
  url: URL;
  /** The path with escapes undone (`heads%2Fmain` as `heads/main`), for logs and faults. */
  path: string;
  body: unknown;
  bodyError?: ApiError;
  endpoint: Endpoint;
  credentials: Credentials;
  requestId: string;
  rate?: RateState;
}

const UNAUTHENTICATED_LIMIT = 60;
const RATE_DOCS = `${DOCS_BASE}/overview/rate-limits-for-the-rest-api`;
const SECONDARY_DOCS = `${RATE_DOCS}#about-secondary-rate-limits`;

export function createRequestHandler(
  deps: ServerDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  let served = 0;
  return (req, res) => {
    served += 1;
    serve(deps, req, res, served).catch((error: unknown) => {
      // Only a bug in the emulator gets here; answer so the client does not hang.
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      }
      res.end(JSON.stringify({ message: `Emulator failure: ${message}` }));
    });
  };
}

async function serve(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  serial: number,
): Promise<void> {
  const at = deps.world.clock.now();
  const raw = await readBody(req);
  const x = openExchange(deps, req, raw, serial, at);
  const answer = await respond(deps, x);
  send(deps, res, x, answer);
  record(deps, x, answer.status, at, raw);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function openExchange(
  deps: ServerDeps,
  req: IncomingMessage,
  raw: string,
  serial: number,
  at: Date,
): Exchange {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', deps.world.baseUrl);
  let body: unknown = {};
  let bodyError: ApiError | undefined;
  try {
    body = parseJsonBody(raw);
  } catch (error: unknown) {
    bodyError = error instanceof ApiError ? error : new ApiError(400, 'Problems parsing JSON');
  }
  return {
    method,
    url,
    path: decodePath(url.pathname),
    body,
    ...(bodyError === undefined ? {} : { bodyError }),
    endpoint: resolveEndpoint(deps.router, method, url.pathname, body),
    credentials: readCredentials(req.headers.authorization, deps.world.tokens),
    requestId: requestId(serial, at),
  };
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Shaped like GitHub's `x-github-request-id`: five hex fields, the last one a time. */
function requestId(serial: number, at: Date): string {
  const hex = (n: number, width: number): string =>
    (n >>> 0).toString(16).toUpperCase().padStart(width, '0').slice(-width);
  const seconds = Math.floor(at.getTime() / 1000);
  const fields = [hex(0xc0de, 4), hex(serial, 4), hex(serial * 7919, 6), hex(serial * 104729, 6)];
  return [...fields, hex(seconds, 8)].join(':');
}

function resolveEndpoint(
  router: RepoRouter,
  method: string,
  path: string,
  body: unknown,
): Endpoint {
  if (path === '/graphql' && method === 'POST') {
    return { kind: 'graphql', request: parseGraphqlRequest(body) };
  }
  if (path === '/rate_limit' && method === 'GET') {
    return { kind: 'rate_limit' };
  }
  const segments = path.split('/').slice(1);
  if (segments[0] !== 'repos' || segments.length < 3) {
    return { kind: 'unknown' };
  }
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    return { kind: 'unknown' };
  }
  const [, owner, repo, ...rest] = decoded;
  // A trailing slash (e.g. `matching-refs/` with an empty prefix) leaves one empty segment.
  const below = rest.length === 1 && rest[0] === '' ? [] : rest;
  const found = router.match(method, below) ?? router.match(method, rest);
  if (found === undefined) {
    return { kind: 'unknown' };
  }
  return { kind: 'repo', fullName: `${owner as string}/${repo as string}`, ...found };
}

function docsOf(endpoint: Endpoint): string {
  if (endpoint.kind === 'repo') {
    return `${DOCS_BASE}/${endpoint.route.docs}`;
  }
  if (endpoint.kind === 'graphql') {
    return 'https://docs.github.com/graphql';
  }
  return endpoint.kind === 'rate_limit' ? `${DOCS_BASE}/rate-limit/rate-limit` : DOCS_BASE;
}

function errorAnswer(x: Exchange, error: ApiError): Answer {
  return {
    status: error.status,
    body: errorBody(error.status, error.message, docsOf(x.endpoint), error.errors),
    ...(error.headers === undefined ? {} : { headers: error.headers }),
  };
}

async function respond(deps: ServerDeps, x: Exchange): Promise<Answer> {
  if (x.endpoint.kind === 'unknown') {
    return errorAnswer(x, new ApiError(404, 'Not Found'));
  }
  if (x.credentials.kind !== 'token') {
    x.rate = deps.limiter.take('', 'core', UNAUTHENTICATED_LIMIT, deps.world.clock.now());
    const message = x.credentials.kind === 'none' ? 'Requires authentication' : 'Bad credentials';
    return errorAnswer(x, new ApiError(401, message));
  }
  const token = x.credentials.token;
  const refused = countRequest(deps, x, token);
  if (refused !== undefined) {
    return refused;
  }
  const plan = deps.faults.take({
    method: x.method,
    path: x.path,
    refRead: isRefRead(x.endpoint),
    ...(x.endpoint.kind === 'graphql' && x.endpoint.request.operationName !== undefined
      ? { operationName: x.endpoint.request.operationName }
      : {}),
  });
  return answerWithFaults(deps, x, token, plan);
}

function isRefRead(endpoint: Endpoint): boolean {
  if (endpoint.kind === 'graphql') {
    return true;
  }
  return endpoint.kind === 'repo' && endpoint.route.refRead === true;
}

/** Count the request against the token's hourly limit; answer the refusal when none remain. */
function countRequest(deps: ServerDeps, x: Exchange, token: TokenRecord): Answer | undefined {
  const now = deps.world.clock.now();
  const resource: RateResource = x.endpoint.kind === 'graphql' ? 'graphql' : 'core';
  if (x.endpoint.kind === 'rate_limit') {
    x.rate = deps.limiter.peek(token.token, resource, token.rateLimit, now);
    return undefined;
  }
  const taken = deps.limiter.take(token.token, resource, token.rateLimit, now);
  x.rate = taken;
  if (taken.ok) {
    return undefined;
  }
  const who =
    token.type === 'Bot' ? `installation ID ${token.installationId}` : `user ID ${token.userId}`;
  if (x.endpoint.kind === 'graphql') {
    // GraphQL reports an exhausted limit in the body with HTTP 200, as GitHub does.
    const message = `API rate limit already exceeded for ${who}.`;
    return { status: 200, body: { errors: [{ type: 'RATE_LIMITED', message }] } };
  }
  const message =
    `API rate limit exceeded for ${who}. If you reach out to GitHub Support for help, ` +
    `please include the request ID ${x.requestId}.`;
  return { status: 403, body: errorBody(403, message, RATE_DOCS) };
}

async function answerWithFaults(
  deps: ServerDeps,
  x: Exchange,
  token: TokenRecord,
  plan: FaultPlan,
): Promise<Answer> {
  if (plan.latencyMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, plan.latencyMs));
  }
  const outcome = plan.outcome;
  if (outcome?.type === 'error-before') {
    return errorAnswer(x, new ApiError(outcome.status, statusMessage(outcome.status)));
  }
  if (outcome?.type === 'secondary-limit') {
    return secondaryLimit(x, outcome.status ?? 403, outcome.retryAfterSeconds);
  }
  const now = deps.world.clock.now();
  const readAsOf =
    plan.staleAgeMs === undefined ? undefined : new Date(now.getTime() - plan.staleAgeMs);
  const answer = applyRequest(deps, x, token, now, readAsOf);
  if (outcome?.type === 'error-after') {
    return errorAnswer(x, new ApiError(outcome.status, statusMessage(outcome.status)));
  }
  return answer;
}

function secondaryLimit(x: Exchange, status: number, retryAfterSeconds?: number): Answer {
  const message =
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try ' +
    'again. If you reach out to GitHub Support for help, please include the request ID ' +
    `${x.requestId}.`;
  return {
    status,
    body: errorBody(status, message, SECONDARY_DOCS),
    ...(retryAfterSeconds === undefined
      ? {}
      : { headers: { 'retry-after': String(retryAfterSeconds) } }),
  };
}

/**
 * Run the endpoint. Handlers are synchronous and nothing awaits between reading state and
 * writing it, so every request is atomic with respect to every other one.
 */
function applyRequest(
  deps: ServerDeps,
  x: Exchange,
  token: TokenRecord,
  now: Date,
  readAsOf: Date | undefined,
): Answer {
  try {
    if (x.bodyError !== undefined) {
      throw x.bodyError;
    }
    const endpoint = x.endpoint;
    if (endpoint.kind === 'graphql') {
      const ctx = { world: deps.world, token, ...(readAsOf === undefined ? {} : { readAsOf }) };
      return { status: 200, body: answerGraphql(ctx, endpoint.request) };
    }
    if (endpoint.kind === 'rate_limit') {
      return { status: 200, body: rateLimitJson(deps.world, deps.limiter, token) };
    }
    if (endpoint.kind === 'unknown') {
      throw new ApiError(404, 'Not Found');
    }
    return applyRepoRoute(deps, x, endpoint, token, now, readAsOf);
  } catch (error: unknown) {
    if (error instanceof ApiError) {
      return errorAnswer(x, error);
    }
    throw error;
  }
}

function applyRepoRoute(
  deps: ServerDeps,
  x: Exchange,
  endpoint: Extract<Endpoint, { kind: 'repo' }>,
  token: TokenRecord,
  now: Date,
  readAsOf: Date | undefined,
): Answer {
  const repo = deps.world.repo(endpoint.fullName);
  if (repo === undefined) {
    throw new ApiError(404, 'Not Found');
  }
  const { route } = endpoint;
  if (!allows(token, route.scope, accessFor(route.method))) {
    throw new ApiError(403, 'Resource not accessible by integration');
  }
  const ctx: RouteContext = {
    world: deps.world,
    repo,
    params: endpoint.params,
    query: x.url.searchParams,
    body: x.body,
    token,
    url: x.url,
    now,
    ...(readAsOf === undefined ? {} : { readAsOf }),
  };
  return route.handle(ctx);
}

function commonHeaders(deps: ServerDeps, x: Exchange): Record<string, string> {
  const headers: Record<string, string> = {
    date: deps.world.clock.now().toUTCString(),
    'x-github-request-id': x.requestId,
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
  };
  if (x.endpoint.kind === 'repo') {
    const { route } = x.endpoint;
    // GitHub names the permission an endpoint needs on every answer from it.
    headers['x-accepted-github-permissions'] = `${route.scope}=${accessFor(route.method)}`;
  }
  if (x.rate !== undefined) {
    headers['x-ratelimit-limit'] = String(x.rate.limit);
    headers['x-ratelimit-remaining'] = String(x.rate.remaining);
    headers['x-ratelimit-used'] = String(x.rate.used);
    headers['x-ratelimit-reset'] = String(x.rate.reset);
    headers['x-ratelimit-resource'] = x.rate.resource;
  }
  return headers;
}

function send(deps: ServerDeps, res: ServerResponse, x: Exchange, answer: Answer): void {
  const headers = { ...commonHeaders(deps, x), ...answer.headers };
  if (answer.status === 204 || answer.body === undefined) {
    res.writeHead(answer.status, headers);
    res.end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(answer.body), 'utf8');
  res.writeHead(answer.status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(payload.length),
  });
  res.end(payload);
}

function record(deps: ServerDeps, x: Exchange, status: number, at: Date, raw: string): void {
  const header = x.credentials.kind === 'token' ? x.credentials.token : undefined;
  const entry: RequestLogEntry = {
    method: x.method,
    path: x.path,
    query: Object.fromEntries(x.url.searchParams),
    status,
    at,
    ...(header === undefined ? {} : { token: header.token, login: header.login }),
    ...(raw.trim() === '' || x.bodyError !== undefined ? {} : { body: x.body }),
    ...(x.endpoint.kind === 'graphql' && x.endpoint.request.operationName !== undefined
      ? { operationName: x.endpoint.request.operationName }
      : {}),
  };
  deps.log.push(entry);
  for (const listener of deps.listeners) {
    listener(entry);
  }
}
