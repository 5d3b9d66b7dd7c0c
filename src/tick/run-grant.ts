import { setTimeout as sleep } from 'node:timers/promises';
import { describeHolder, leaseTerm } from '../ledger/lease.js';
import type { Grant } from '../ledger/plan.js';
import { renew } from '../ledger/transitions.js';
import type { Revocation, RunOutcome, RunRecord } from '../ledger/types.js';
import { readLedger, updateLedger } from './ledger-io.js';
import type { ReleaseQueue } from './release-queue.js';
import type { PatrolReport, RunContext, RunResult, TickDeps } from './types.js';

/** How often a running patrol's lease is checked, unless the caller says otherwise. */
export const DEFAULT_WATCH_INTERVAL_MS = 15_000;

export interface GrantContext {
  deps: TickDeps;
  ref: string;
  clock: () => Date;
  releases: ReleaseQueue;
  /** The tick's own stop: patrols end as `cancelled` and are released. */
  cancel?: AbortSignal;
}

/**
 * Run a grant's slots in order under its lease, watching the lease while they run, then
 * release with the results. A lease found gone stops the patrol at once.
 */
export async function runGrant(
  grant: Grant,
  context: GrantContext,
): Promise<{ reports: PatrolReport[]; writes: number }> {
  const { deps } = context;
  const stop = new AbortController();
  const why = { cause: 'lost' as 'lost' | 'cancelled', reason: '' };
  const onLost = (reason: string, cause: 'lost' | 'cancelled' = 'lost') => {
    if (stop.signal.aborted) return;
    why.cause = cause;
    why.reason = reason;
    deps.log.warn(`${grant.patrol.id}: ${reason}; stopping the patrol`);
    stop.abort();
  };
  const onCancel = () => onLost('stopped: the tick was cancelled', 'cancelled');
  if (context.cancel?.aborted) onCancel();
  context.cancel?.addEventListener('abort', onCancel, { once: true });
  if (grant.takeover?.reason === 'replaced') await stopReplaced(grant, deps);
  const watcher = grant.lease === null ? null : watchLease(grant, context, stop.signal, onLost);

  const runs: RunRecord[] = [];
  const reports: PatrolReport[] = [];
  let failure: unknown = null;
  try {
    for (const slot of grant.slots) {
      const { run, report } = await runSlot(grant, slot, context, stop.signal, why);
      runs.push(run);
      reports.push(report);
    }
  } catch (error: unknown) {
    failure = error;
  }

  // Released whatever happened above: a lease must not outlive its runs.
  context.cancel?.removeEventListener('abort', onCancel);
  const renewals = (await watcher?.stop()) ?? 0;
  const released = await context.releases.submit(grant, runs);
  if (failure !== null) throw failure;
  markOverlap(reports, released.revokedBy, released.overlap);
  if (released.failure !== null) {
    for (const report of reports) report.reason += ` (result not recorded: ${released.failure})`;
  }
  return { reports, writes: renewals + released.writes };
}

async function runSlot(
  grant: Grant,
  slot: string,
  { deps, clock }: GrantContext,
  signal: AbortSignal,
  why: { cause: 'lost' | 'cancelled'; reason: string },
): Promise<{ run: RunRecord; report: PatrolReport }> {
  const startedAt = clock().toISOString();
  const runContext = {
    slot,
    fencingToken: grant.fencingToken,
    tick: deps.identity.id,
    forced: grant.forced,
  };
  const result: RunResult = signal.aborted
    ? notStarted(`not started: ${why.reason}`)
    : await deps.runner.run(grant.patrol, runContext, signal);
  const outcome = outcomeOf(result, why.cause);
  const run: RunRecord = {
    slot,
    fencingToken: grant.fencingToken,
    nonce: grant.nonce,
    tick: deps.identity.id,
    startedAt,
    finishedAt: clock().toISOString(),
    outcome,
    exitCode: result.exitCode,
    durationMs: Math.round(result.durationMs),
  };
  const report: PatrolReport = {
    id: grant.patrol.id,
    slot,
    outcome,
    reason: reasonFor(outcome, result, why.reason, grant),
    exitCode: result.exitCode,
    durationMs: run.durationMs,
    fencingToken: grant.fencingToken,
    output: result.output,
    outputTruncated: result.outputTruncated,
    ...(grant.takeover === undefined
      ? {}
      : {
          takeover: { fencingToken: grant.takeover.fencingToken, reason: grant.takeover.reason },
        }),
  };
  if (outcome === 'ran' && deps.afterRun !== undefined && !signal.aborted) {
    report.reason += await followUp(deps, grant, runContext);
  }
  deps.log.info(
    `${grant.patrol.id}: ${outcome} for slot ${slot} (token #${grant.fencingToken}, ` +
      `exit ${result.exitCode ?? '-'}, ${run.durationMs} ms)`,
  );
  return { run, report };
}

/** The caller's follow-up to a successful run, as text for the report's reason. */
async function followUp(deps: TickDeps, grant: Grant, context: RunContext): Promise<string> {
  try {
    const note = await deps.afterRun?.(grant.patrol, context);
    return note === null || note === undefined ? '' : `; ${note}`;
  } catch (error: unknown) {
    deps.log.warn(`${grant.patrol.id}: after the run: ${messageOf(error)}`);
    return `; after the run: ${messageOf(error)}`;
  }
}

function notStarted(reason: string): RunResult {
  return {
    exitCode: null,
    timedOut: false,
    aborted: true,
    durationMs: 0,
    output: reason,
    outputTruncated: false,
  };
}

function outcomeOf(result: RunResult, stopCause: 'lost' | 'cancelled'): RunOutcome {
  if (result.aborted) return stopCause === 'cancelled' ? 'cancelled' : 'lost-lease';
  if (result.timedOut) return 'timed-out';
  if (result.error !== undefined) return 'error';
  return result.exitCode === 0 ? 'ran' : 'failed';
}

function reasonFor(outcome: RunOutcome, result: RunResult, lost: string, grant: Grant): string {
  switch (outcome) {
    case 'ran':
      return grant.takeover
        ? `ran after taking over lease #${grant.takeover.fencingToken} (${grant.takeover.reason})`
        : grant.forced
          ? 'ran (forced)'
          : 'ran';
    case 'failed':
      return `exited with ${result.exitCode ?? 'a signal'}`;
    case 'timed-out':
      return `killed at its timeout of ${grant.patrol.timeoutMs ?? 0} ms`;
    case 'lost-lease':
      return lost || 'the lease was lost';
    case 'cancelled':
      return lost;
    case 'error':
      return result.error ?? 'could not start';
  }
}

/** Stop what the replaced holder started, where the caller can; the takeover stands either way. */
async function stopReplaced(grant: Grant, deps: TickDeps): Promise<void> {
  if (grant.takeover === undefined || deps.stopReplaced === undefined) return;
  try {
    await deps.stopReplaced(grant.takeover, grant.patrol);
  } catch (error: unknown) {
    deps.log.warn(`${grant.patrol.id}: could not stop the replaced run: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function markOverlap(reports: PatrolReport[], revokedBy: Revocation | null, overlap: boolean) {
  if (!overlap) return;
  for (const report of reports) {
    if (report.outcome === 'lost-lease' || report.outcome === 'cancelled') continue;
    report.outcome = 'lost-lease';
    report.reason =
      revokedBy === null
        ? 'the lease was gone at release (overlap recorded)'
        : `the lease was ${revokedBy.reason === 'unlocked' ? 'unlocked' : 'taken over'} ` +
          `by ${revokedBy.by} at ${revokedBy.at} (overlap recorded)`;
  }
}

/**
 * Poll the ledger while the patrol runs: stop it when the lease is no longer ours, renew
 * a renewable lease before half of its term is gone, and stop it if the lease would
 * expire before a renewal lands (a holder that cannot reach the store must not outlive
 * its lease). Returns a stop function that resolves to the number of renewals written.
 */
function watchLease(
  grant: Grant,
  context: GrantContext,
  lost: AbortSignal,
  onLost: (reason: string) => void,
) {
  const { deps, ref, clock } = context;
  const interval = deps.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
  const halted = new AbortController();
  let expiresAt = Date.parse(grant.lease?.expiresAt ?? '');
  let renewals = 0;

  const checkOnce = async () => {
    const snapshot = await readLedger(deps.store, ref);
    const state = snapshot.document?.state.patrols[grant.patrol.id];
    if (state?.lease?.nonce !== grant.nonce) {
      const revoked = state?.revocations.find((r) => r.nonce === grant.nonce);
      onLost(
        revoked
          ? `lease #${grant.fencingToken} was ${revoked.reason === 'replaced' ? 'taken over' : revoked.reason} by ${revoked.by}` +
              (state?.lease ? ` (now held by ${describeHolder(state.lease.holder)})` : '')
          : `lease #${grant.fencingToken} is no longer in the ledger`,
      );
      return;
    }
    expiresAt = Date.parse(state.lease.expiresAt);
    const term = leaseTerm(grant.patrol, 1).ttlMs;
    if (!state.lease.renewable || expiresAt - clock().getTime() > term / 2) return;
    const renewed = await updateLedger(
      deps.store,
      ref,
      (current) => {
        if (current.document === null) return { write: null, value: null };
        const result = renew(current.document, grant.patrol, grant.nonce, deps.identity, clock());
        return result.kind === 'lost'
          ? { write: null, value: null }
          : { write: result.next, value: result.next };
      },
      deps.retry,
    );
    if (renewed.value === null) {
      onLost(`lease #${grant.fencingToken} was lost before it could be renewed`);
      return;
    }
    renewals += renewed.writes;
    expiresAt = Date.parse(
      renewed.value.state.patrols[grant.patrol.id]?.lease?.expiresAt ?? state.lease.expiresAt,
    );
  };

  const loop = (async () => {
    while (!halted.signal.aborted && !lost.aborted) {
      try {
        await sleep(interval, undefined, { signal: halted.signal });
      } catch {
        return;
      }
      try {
        await checkOnce();
      } catch (error: unknown) {
        deps.log.warn(`${grant.patrol.id}: could not check the lease: ${String(error)}`);
      }
      if (clock().getTime() > expiresAt) {
        onLost(`lease #${grant.fencingToken} expired before it could be confirmed or renewed`);
      }
    }
  })();

  return {
    async stop(): Promise<number> {
      halted.abort();
      await loop;
      return renewals;
    },
  };
}
