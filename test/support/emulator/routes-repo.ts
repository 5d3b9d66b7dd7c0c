import type { RateLimiter, TokenRecord } from './auth.js';
import { repoJson } from './json.js';
import type { World } from './model.js';
import type { RepoRoute } from './router.js';

export const repoRoutes: RepoRoute[] = [
  {
    method: 'GET',
    pattern: '',
    scope: 'metadata',
    docs: 'repos/repos#get-a-repository',
    handle: (ctx) => ({ status: 200, body: repoJson(ctx.world, ctx.repo) }),
  },
];

/** `GET /rate_limit`, which GitHub does not count against the limit it reports. */
export function rateLimitJson(
  world: World,
  limiter: RateLimiter,
  token: TokenRecord,
): Record<string, unknown> {
  const now = world.clock.now();
  const state = (resource: 'core' | 'graphql'): Record<string, number | string> => {
    const s = limiter.peek(token.token, resource, token.rateLimit, now);
    return { limit: s.limit, used: s.used, remaining: s.remaining, reset: s.reset };
  };
  const core = state('core');
  return { resources: { core, graphql: state('graphql') }, rate: core };
}
