/**
 * Injected failures: the ways GitHub misbehaves that the product must survive (slow
 * answers, 5xx before or after a write was applied, secondary rate limits, stale reads).
 */

export type FaultKind =
  | { type: 'latency'; ms: number }
  /** Answer `status` without applying the request. */
  | { type: 'error-before'; status: number }
  /** Apply the request, then answer `status` anyway (a write that "failed" but happened). */
  | { type: 'error-after'; status: number }
  | { type: 'secondary-limit'; retryAfterSeconds?: number; status?: 403 | 429 }
  /** Ref reads (REST and GraphQL) answer the value the ref had `ageMs` ago. */
  | { type: 'stale'; ageMs: number };

export interface FaultMatch {
  method?: string;
  /** A string matches the request path exactly (no query); a RegExp is tested against it. */
  path?: string | RegExp;
  operationName?: string;
}

export interface FaultSpec {
  match: FaultMatch;
  /** How many matching requests it affects; default 1, `Infinity` for all. */
  times?: number;
  kind: FaultKind;
}

export interface FaultHandle {
  /** How many more requests this fault will affect. */
  remaining(): number;
  remove(): void;
}

export interface FaultControl {
  add(spec: FaultSpec): FaultHandle;
  clear(): void;
}

export interface FaultRequest {
  method: string;
  path: string;
  operationName?: string;
  /** Whether the endpoint reads a ref's value; only such requests take a `stale` fault. */
  refRead: boolean;
}

/** What the faults matching one request add up to. */
export interface FaultPlan {
  latencyMs: number;
  staleAgeMs?: number;
  outcome?: Exclude<FaultKind, { type: 'latency' } | { type: 'stale' }>;
}

interface Armed {
  spec: FaultSpec;
  left: number;
}

export class Faults implements FaultControl {
  private armed: Armed[] = [];

  add(spec: FaultSpec): FaultHandle {
    const entry: Armed = { spec, left: spec.times ?? 1 };
    this.armed.push(entry);
    return {
      remaining: () => entry.left,
      remove: () => {
        this.armed = this.armed.filter((a) => a !== entry);
      },
    };
  }

  clear(): void {
    this.armed = [];
  }

  /**
   * Consume the faults that match `req`, in the order they were added: every latency adds
   * up; the first stale fault and the first error-like fault apply, and later ones wait
   * for another request.
   */
  take(req: FaultRequest): FaultPlan {
    const plan: FaultPlan = { latencyMs: 0 };
    for (const a of this.armed) {
      if (a.left <= 0 || !matches(a.spec.match, req)) {
        continue;
      }
      const kind = a.spec.kind;
      if (kind.type === 'latency') {
        plan.latencyMs += kind.ms;
      } else if (kind.type === 'stale') {
        if (!req.refRead || plan.staleAgeMs !== undefined) {
          continue;
        }
        plan.staleAgeMs = kind.ageMs;
      } else {
        if (plan.outcome !== undefined) {
          continue;
        }
        plan.outcome = kind;
      }
      a.left -= 1;
    }
    this.armed = this.armed.filter((a) => a.left > 0);
    return plan;
  }
}

function matches(m: FaultMatch, req: FaultRequest): boolean {
  if (m.method !== undefined && m.method.toUpperCase() !== req.method) {
    return false;
  }
  if (m.operationName !== undefined && m.operationName !== req.operationName) {
    return false;
  }
  if (m.path === undefined) {
    return true;
  }
  if (typeof m.path === 'string') {
    return m.path === req.path;
  }
  // A global or sticky RegExp remembers where it stopped; start afresh for every request.
  m.path.lastIndex = 0;
  return m.path.test(req.path);
}
