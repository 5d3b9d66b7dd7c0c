import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { PatrolTable } from '../config/types.js';
import { planTick, type Grant, type PlannedOutcome, type TickPlan } from '../ledger/plan.js';
import { releaseReporter as giveBackReporter } from '../ledger/transitions.js';
import type { Liveness } from '../ledger/lease.js';
import {
  backoff,
  defaultRetryPolicy,
  LedgerConflictError,
  ledgerRef,
  readLedger,
  updateLedger,
  writeLedger,
  type LedgerSnapshot,
} from './ledger-io.js';
import { ReleaseQueue } from './release-queue.js';
import { runGrant } from './run-grant.js';
import type { PatrolReport, TickDeps, TickOptions, TickReport } from './types.js';

/** A tick was asked for something the table does not have. */
export class TickInputError extends Error {
  override name = 'TickInputError';
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * One tick: read the ledger, plan, write the whole plan in one compare-and-swap, run what
 * was granted, release each grant with its result, and report.
 */
export async function runTick(
  table: PatrolTable,
  deps: TickDeps,
  options: TickOptions,
): Promise<TickReport> {
  checkSelection(table, options);
  const ref = ledgerRef(table.id);
  const claim = await claimSlots(table, deps, options, ref);
  const report: TickReport = {
    tick: {
      id: deps.identity.id,
      now: claim.now.toISOString(),
      table: table.id,
      config: options.configPath,
      store: deps.store.description,
      ref,
      dryRun: options.dryRun,
      version: deps.identity.version,
      writes: claim.writes,
      reporting: claim.plan.reporting && !options.dryRun,
    },
    patrols: claim.plan.outcomes.map(plannedReport),
  };
  if (options.dryRun) {
    report.patrols.push(...claim.plan.grants.flatMap(dryRunReports));
    return sortReport(report, table);
  }

  const grants = await confirmTakeovers(deps, ref, claim, report);
  const clock = tickClock(claim.now);
  // Patrols that propose pull requests share one workspace: they run one at a time, so
  // each one's changes are its own.
  const oneAtATime = serializer();
  const context = {
    deps,
    ref,
    clock,
    releases: new ReleaseQueue(deps, ref, clock),
    ...(options.signal === undefined ? {} : { cancel: options.signal }),
  };
  const results = await inParallel(grants, deps.maxParallel ?? 4, (grant) =>
    grant.patrol.pullRequest === undefined
      ? runGrant(grant, context)
      : oneAtATime(() => runGrant(grant, context)),
  );
  for (const result of results) {
    report.patrols.push(...result.reports);
    report.tick.writes += result.writes;
  }
  return sortReport(report, table);
}

function checkSelection(table: PatrolTable, options: TickOptions): void {
  if (options.patrol === undefined) return;
  if (table.patrols.some((p) => p.id === options.patrol)) return;
  const known = table.patrols.map((p) => p.id).join(', ');
  throw new TickInputError(
    `patrol "${options.patrol}" is not in ${options.configPath} (patrols: ${known})`,
  );
}

interface Claim {
  plan: TickPlan;
  now: Date;
  before: LedgerSnapshot;
  /** The tip the claim wrote, or the tip read when nothing needed writing. */
  tip: string | null;
  writes: number;
}

/**
 * Read, plan and write until one compare-and-swap succeeds. A lost race means another
 * tick wrote first: its claims are in the state read next, so this tick's plan no longer
 * contains the slots it lost, and those are reported as duplicates.
 */
async function claimSlots(
  table: PatrolTable,
  deps: TickDeps,
  options: TickOptions,
  ref: string,
): Promise<Claim> {
  const policy = deps.retry ?? defaultRetryPolicy;
  const liveness = new Map<string, Liveness>();
  let wanted: Map<string, string[]> | null = null;

  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    const snapshot = await readLedger(deps.store, ref);
    const now = options.now ?? snapshot.serverTime;
    const plan = await planWithProbes(table, deps, options, snapshot, now, liveness);
    wanted ??= claimedSlots(plan);

    if (options.dryRun || !plan.changed) {
      markDuplicates(plan, wanted);
      return { plan, now, before: snapshot, tip: snapshot.tip, writes: 0 };
    }
    const result = await writeLedger(deps.store, ref, snapshot, plan.next);
    if (result.ok) {
      markDuplicates(plan, wanted);
      return { plan, now, before: snapshot, tip: result.tip, writes: 1 };
    }
    deps.log.debug(`lost the race to write ${ref} (attempt ${attempt + 1}); reading again`);
    await backoff(policy, attempt);
  }
  throw new LedgerConflictError(ref, policy.attempts);
}

async function planWithProbes(
  table: PatrolTable,
  deps: TickDeps,
  options: TickOptions,
  snapshot: LedgerSnapshot,
  now: Date,
  liveness: Map<string, Liveness>,
): Promise<TickPlan> {
  const input = {
    table,
    current: snapshot.document,
    now,
    tick: deps.identity,
    force: options.force,
    liveness,
    newNonce: deps.newNonce ?? newNonce,
    report: options.report === true && !options.dryRun,
    ...(options.patrol === undefined ? {} : { patrol: options.patrol }),
  };
  const plan = planTick(input);
  if (plan.needsProbe.length === 0) return plan;

  for (const { patrol, lease } of plan.needsProbe) {
    liveness.set(lease.nonce, await deps.probe(lease.holder, lease, patrol));
  }
  return planTick(input);
}

function claimedSlots(plan: TickPlan): Map<string, string[]> {
  const slots = new Map<string, string[]>();
  for (const grant of plan.grants) slots.set(grant.patrol.id, grant.slots);
  for (const outcome of plan.outcomes) {
    if (outcome.outcome === 'skipped' && outcome.slot !== null) {
      slots.set(outcome.patrol, [outcome.slot]);
    }
  }
  return slots;
}

/** A patrol this tick meant to claim in its first plan, but another tick claimed first. */
function markDuplicates(plan: TickPlan, wanted: Map<string, string[]>): void {
  for (const outcome of plan.outcomes) {
    const slots = wanted.get(outcome.patrol);
    if (outcome.outcome !== 'idle' || slots === undefined) continue;
    outcome.outcome = 'duplicate';
    outcome.slot = slots.at(-1) ?? null;
    outcome.reason = 'another tick claimed the slot first';
  }
}

/**
 * Second line of defence after a takeover: read the ledger back and run only grants
 * whose nonce it still shows. The swap already decided; this catches a store that lied.
 */
async function confirmTakeovers(
  deps: TickDeps,
  ref: string,
  claim: Claim,
  report: TickReport,
): Promise<Grant[]> {
  const takeovers = claim.plan.grants.filter((g) => g.takeover !== undefined && g.lease !== null);
  if (takeovers.length === 0) return claim.plan.grants;

  const snapshot = await readBack(deps, ref, claim);
  if (snapshot === null || snapshot.tip === claim.tip) return claim.plan.grants;
  return claim.plan.grants.filter((grant) => {
    if (grant.takeover === undefined || grant.lease === null) return true;
    const held = snapshot.document?.state.patrols[grant.patrol.id]?.lease?.nonce === grant.nonce;
    if (!held) {
      deps.log.warn(
        `${grant.patrol.id}: the ledger read back does not show our lease; not running`,
      );
      report.patrols.push({
        ...emptyReport(grant.patrol.id, grant.slots.at(-1) ?? null),
        outcome: 'lost-lease',
        reason: 'the lease taken over was not ours on read-back',
        fencingToken: grant.fencingToken,
      });
    }
    return held;
  });
}

/** A read that is not older than the claim (a stale cache may still show the old tip). */
async function readBack(deps: TickDeps, ref: string, claim: Claim) {
  const policy = deps.retry ?? defaultRetryPolicy;
  for (let attempt = 0; attempt < 3; attempt++) {
    const snapshot = await readLedger(deps.store, ref);
    if (snapshot.tip !== claim.before.tip) return snapshot;
    await backoff(policy, attempt + 2);
  }
  deps.log.debug(`${ref}: read-back kept showing the pre-claim tip; trusting the swap`);
  return null;
}

/** The tick's time advanced by the real time elapsed since the tick started. */
function tickClock(now: Date): () => Date {
  const start = performance.now();
  return () => new Date(now.getTime() + Math.round(performance.now() - start));
}

function serializer(): <R>(work: () => Promise<R>) => Promise<R> {
  let last: Promise<unknown> = Promise.resolve();
  return (work) => {
    const next = last.then(work, work);
    last = next.catch(() => undefined);
    return next;
  };
}

async function inParallel<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < items.length) {
      const index = nextIndex++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function emptyReport(id: string, slot: string | null): PatrolReport {
  return {
    id,
    slot,
    outcome: 'idle',
    reason: '',
    exitCode: null,
    durationMs: null,
    fencingToken: null,
  };
}

function plannedReport(outcome: PlannedOutcome): PatrolReport {
  return {
    ...emptyReport(outcome.patrol, outcome.slot),
    outcome: outcome.outcome,
    reason: outcome.reason,
    fencingToken: outcome.fencingToken ?? null,
    ...(outcome.missedCount === undefined ? {} : { missedCount: outcome.missedCount }),
  };
}

function dryRunReports(grant: Grant): PatrolReport[] {
  return grant.slots.map((slot) => ({
    ...emptyReport(grant.patrol.id, slot),
    outcome: 'planned' as const,
    reason: grant.takeover
      ? `would take over lease #${grant.takeover.fencingToken} (${grant.takeover.reason})`
      : grant.forced
        ? 'would run now (forced)'
        : 'would run',
    fencingToken: grant.fencingToken,
  }));
}

/** Table order, then slot order: stable output for people and for tests. */
function sortReport(report: TickReport, table: PatrolTable): TickReport {
  const order = new Map(table.patrols.map((p, i) => [p.id, i]));
  report.patrols.sort(
    (a, b) =>
      (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0) || (a.slot ?? '').localeCompare(b.slot ?? ''),
  );
  return report;
}

/**
 * Give back the reporter lease after reporting (or failing to). Best effort: a lease that
 * cannot be given back expires by itself after REPORTER_TERM_MS.
 */
export async function releaseReporter(
  deps: Pick<TickDeps, 'store' | 'identity' | 'log' | 'retry'>,
  ref: string,
): Promise<number> {
  try {
    const result = await updateLedger(
      deps.store,
      ref,
      (snapshot) => {
        const next =
          snapshot.document === null
            ? null
            : giveBackReporter(snapshot.document, deps.identity, snapshot.serverTime);
        return { write: next, value: null };
      },
      deps.retry,
    );
    return result.writes;
  } catch (error: unknown) {
    deps.log.warn(`could not give back the reporter lease: ${String(error)}`);
    return 0;
  }
}
