/** Tokens, their permissions, and GitHub's hourly primary rate limit per token. */

export type Permission = 'contents' | 'issues' | 'pull_requests' | 'actions' | 'metadata';
export type Access = 'read' | 'write';
export type RateResource = 'core' | 'graphql';

export interface TokenOptions {
  login: string;
  type?: 'Bot' | 'User';
  permissions: Partial<Record<Permission, Access>>;
  /** Whether naming an unknown label on an issue creates it (else 422). */
  canCreateLabels?: boolean;
  /** Requests per hour, per resource; defaults to GitHub's (1,000 for Bot, else 5,000). */
  rateLimit?: number;
}

export interface TokenRecord {
  token: string;
  login: string;
  type: 'Bot' | 'User';
  /** The account id GitHub would show in `user.id`. */
  userId: number;
  /** Named in the primary rate-limit message, as GitHub names the App installation. */
  installationId: number;
  permissions: Partial<Record<Permission, Access>>;
  canCreateLabels: boolean;
  rateLimit: number;
}

export function allows(token: TokenRecord, scope: Permission, level: Access): boolean {
  // Every App installation can read metadata; GitHub does not let it be switched off.
  const granted = token.permissions[scope] ?? (scope === 'metadata' ? 'read' : undefined);
  if (granted === undefined) {
    return false;
  }
  return level === 'read' || granted === 'write';
}

/** What the `Authorization` header said. */
export type Credentials =
  { kind: 'none' } | { kind: 'unknown' } | { kind: 'token'; token: TokenRecord };

export function readCredentials(
  header: string | undefined,
  tokens: ReadonlyMap<string, TokenRecord>,
): Credentials {
  if (header === undefined || header.trim() === '') {
    return { kind: 'none' };
  }
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header);
  const token = match?.[1] === undefined ? undefined : tokens.get(match[1]);
  return token === undefined ? { kind: 'unknown' } : { kind: 'token', token };
}

export interface RateState {
  limit: number;
  remaining: number;
  used: number;
  /** Epoch seconds at which the current hour window ends. */
  reset: number;
  resource: RateResource;
}

interface Window {
  startMs: number;
  used: number;
}

const HOUR_MS = 3_600_000;

/**
 * Fixed windows that start with a key's first request and last an hour, as GitHub's do.
 * `take` counts a request only while some remain; the request that finds none is refused.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  peek(key: string, resource: RateResource, limit: number, now: Date): RateState {
    const w = this.window(key, resource, now);
    return {
      limit,
      used: w.used,
      remaining: Math.max(0, limit - w.used),
      reset: Math.floor((w.startMs + HOUR_MS) / 1000),
      resource,
    };
  }

  take(key: string, resource: RateResource, limit: number, now: Date): RateState & { ok: boolean } {
    const w = this.window(key, resource, now);
    const ok = w.used < limit;
    if (ok) {
      w.used += 1;
    }
    return { ...this.peek(key, resource, limit, now), ok };
  }

  private window(key: string, resource: RateResource, now: Date): Window {
    const id = `${resource}\0${key}`;
    let w = this.windows.get(id);
    if (w === undefined || now.getTime() >= w.startMs + HOUR_MS) {
      w = { startMs: now.getTime(), used: 0 };
      this.windows.set(id, w);
    }
    return w;
  }
}
