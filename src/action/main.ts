import { actionFactories } from './factories.js';
import { run } from './run.js';

// The runner cancels a step with SIGINT, then SIGTERM, then SIGKILL a few seconds later.
// The first signal stops the running patrols so that their leases are released in time;
// whatever this step cannot finish, the post step does.
const cancelled = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => cancelled.abort(signal));
}

await run(process.env, actionFactories(process.env, cancelled.signal));
