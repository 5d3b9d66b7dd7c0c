import type { Access, Permission, TokenRecord } from './auth.js';
import type { Answer } from './http.js';
import type { Repository, World } from './model.js';

/** What a repository route handler gets. Handlers are synchronous on purpose: see server.ts. */
export interface RouteContext {
  world: World;
  repo: Repository;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  token: TokenRecord;
  /** The URL as requested, for `Link` headers. */
  url: URL;
  now: Date;
  /** Set by a `stale` fault: ref reads answer the value the ref had at this instant. */
  readAsOf?: Date;
}

export interface RepoRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path below `/repos/{owner}/{repo}`: `:name` takes a segment, `*name` the rest. */
  pattern: string;
  scope: Permission;
  /** Path of the endpoint's page under https://docs.github.com/rest/ (for error bodies). */
  docs: string;
  /** Reads a ref's value, so a `stale` fault applies to it. */
  refRead?: boolean;
  handle(ctx: RouteContext): Answer;
}

export const DOCS_BASE = 'https://docs.github.com/rest';

/** Reads need read access, everything else write, as GitHub's fine-grained permissions do. */
export function accessFor(method: string): Access {
  return method === 'GET' ? 'read' : 'write';
}

interface Compiled {
  route: RepoRoute;
  parts: string[];
}

export interface RouteMatch {
  route: RepoRoute;
  params: Record<string, string>;
}

export class RepoRouter {
  private readonly compiled: Compiled[];

  constructor(routes: RepoRoute[]) {
    this.compiled = routes.map((route) => ({
      route,
      parts: route.pattern === '' ? [] : route.pattern.split('/'),
    }));
  }

  /** `segments` are the decoded path segments below `/repos/{owner}/{repo}`. */
  match(method: string, segments: string[]): RouteMatch | undefined {
    for (const c of this.compiled) {
      if (c.route.method !== method) {
        continue;
      }
      const params = matchParts(c.parts, segments);
      if (params !== undefined) {
        return { route: c.route, params };
      }
    }
    return undefined;
  }
}

function matchParts(parts: string[], segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i] as string;
    if (part.startsWith('*')) {
      params[part.slice(1)] = segments.slice(i).join('/');
      return params;
    }
    const segment = segments[i];
    if (segment === undefined) {
      return undefined;
    }
    if (part.startsWith(':')) {
      params[part.slice(1)] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return segments.length === parts.length ? params : undefined;
}
