import type { Patrol } from '../../src/config/types.js';
import type { Liveness } from '../../src/ledger/lease.js';
import type { Holder } from '../../src/ledger/types.js';
import type { LedgerStore } from '../../src/store/types.js';
import type { RetryPolicy } from '../../src/tick/ledger-io.js';
import type { PatrolRunner, RunContext, RunResult, TickDeps } from '../../src/tick/types.js';
import { tickIdentity } from '../ledger/fixtures.js';

export interface RunCall {
  patrol: string;
  context: RunContext;
}

/**
 * A runner whose patrols finish when the test says so (or exit 0 at once), and stop when
 * their lease is lost, as the shell runner does.
 */
export class FakeRunner implements PatrolRunner {
  readonly calls: RunCall[] = [];
  /** Runs stopped because their lease was lost. */
  aborts = 0;
  private readonly gates = new Map<string, Promise<void>>();
  private readonly openers = new Map<string, () => void>();
  exitCode = 0;

  /** Patrol `id` will block until `open(id)`. */
  hold(id: string): void {
    this.gates.set(id, new Promise((resolve) => this.openers.set(id, resolve)));
  }

  open(id: string): void {
    this.openers.get(id)?.();
  }

  async run(patrol: Patrol, context: RunContext, signal: AbortSignal): Promise<RunResult> {
    this.calls.push({ patrol: patrol.id, context });
    const gate = this.gates.get(patrol.id);
    let aborted = false;
    if (gate !== undefined) {
      await new Promise<void>((resolve) => {
        void gate.then(resolve);
        signal.addEventListener('abort', () => {
          aborted = true;
          this.aborts += 1;
          resolve();
        });
      });
    }
    return {
      exitCode: aborted ? null : this.exitCode,
      timedOut: false,
      aborted,
      durationMs: 1,
      output: `ran ${patrol.id}\n`,
      outputTruncated: false,
    };
  }

  /** Resolves once `id` has started `count` runs in all. */
  async started(id: string, count = 1): Promise<void> {
    while (this.calls.filter((c) => c.patrol === id).length < count) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}

export const fastRetry: RetryPolicy = {
  attempts: 40,
  baseDelayMs: 1,
  maxDelayMs: 5,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export function deps(
  store: LedgerStore,
  runner: PatrolRunner,
  options: { id: string; pid?: number; probe?: (h: Holder) => Liveness } = { id: 't1' },
): TickDeps {
  const warnings: string[] = [];
  return {
    store,
    runner,
    probe: async (holder) => options.probe?.(holder) ?? 'alive',
    identity: tickIdentity(options.id, options.pid ?? 100),
    log: { info: () => {}, debug: () => {}, warn: (m) => warnings.push(m) },
    retry: fastRetry,
    watchIntervalMs: 5,
  };
}
