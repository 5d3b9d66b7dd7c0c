import type { Patrol, PatrolTable } from '../config/types.js';
import { planSlots, slotsAfter } from '../schedule/index.js';
import { describeHolder, LEASE_GRACE_MS, leaseStatus, leaseTerm, type Liveness } from './lease.js';
import { freshPatrolState, newDocument, pushBounded, REVOCATIONS_LIMIT } from './state.js';
import type {
  Holder,
  Lease,
  LedgerDocument,
  LedgerEvent,
  PatrolState,
  Revocation,
} from './types.js';

/**
 * A tick that finds nothing due, within this long after another tick claimed the latest
 * slot, is a doubled tick (GitHub sometimes fires a scheduled workflow twice).
 */
export const DOUBLED_TICK_WINDOW_MS = 60_000;

export interface TickIdentity {
  id: string;
  holder: Holder;
  version: string;
}

export interface TickPlanInput {
  table: PatrolTable;
  /** The ledger as read; null when the ref does not exist yet. */
  current: LedgerDocument | null;
  now: Date;
  tick: TickIdentity;
  /** Only this patrol (others are left exactly as they are). */
  patrol?: string;
  /** Run now even when no slot is due (through the same policy). */
  force: boolean;
  /** What is known of lease holders, by lease nonce. */
  liveness: ReadonlyMap<string, Liveness>;
  newNonce: () => string;
  /** The tick will report (issues): take the reporter lease if this plan writes anyway. */
  report?: boolean;
}

/** The right to run one patrol for some slots, as written in the plan's commit. */
export interface Grant {
  patrol: Patrol;
  slots: string[];
  nonce: string;
  fencingToken: number;
  /** Null for `allow` patrols: they run without a lease. */
  lease: Lease | null;
  forced: boolean;
  takeover?: Revocation;
}

export type PlannedOutcomeKind = 'skipped' | 'missed' | 'duplicate' | 'idle' | 'disabled';

export interface PlannedOutcome {
  patrol: string;
  slot: string | null;
  outcome: PlannedOutcomeKind;
  reason: string;
  fencingToken?: number;
  /** For `missed`: how many slots (a lower bound when `missedCountIsLowerBound`). */
  missedCount?: number;
  missedCountIsLowerBound?: boolean;
}

export interface TickPlan {
  /** The document to write; equals the current one's state when nothing changed. */
  next: LedgerDocument;
  /** Whether anything must be written. An idle tick writes nothing. */
  changed: boolean;
  grants: Grant[];
  outcomes: PlannedOutcome[];
  /** Whether this tick holds the reporter lease after the claim (see LedgerState.reporter). */
  reporting: boolean;
  /** Leases whose holder should be probed before trusting this plan. */
  needsProbe: { patrol: string; lease: Lease }[];
}

/**
 * Decide, purely, everything a tick does: which slots are due, which are missed, and
 * for each due patrol what its policy says given the current lease. The result is one
 * document written in one compare-and-swap, so the decision and the write are one step.
 */
export function planTick(input: TickPlanInput): TickPlan {
  const { table, current, now, tick } = input;
  const nowIso = now.toISOString();
  const next = newDocument(table.id, current, tick, nowIso);
  const plan: TickPlan = {
    next,
    changed: false,
    grants: [],
    outcomes: [],
    reporting: false,
    needsProbe: [],
  };
  if (current === null) addEvent(plan, { type: 'created', at: nowIso });

  for (const patrol of table.patrols) {
    if (input.patrol !== undefined && patrol.id !== input.patrol) continue;
    planPatrol(plan, patrol, input);
  }
  if (input.patrol === undefined) retireRemoved(plan, table);
  if (input.report === true && plan.changed) takeReporter(plan, input);
  return plan;
}

/** How long a tick may hold the reporter lease before another may take it. */
export const REPORTER_TERM_MS = 10 * 60_000;

/**
 * A tick that changed the ledger reports; of two such ticks at once, one does, and the
 * other leaves it to the next (reports are computed from the ledger, so none is lost).
 */
function takeReporter(plan: TickPlan, input: TickPlanInput): void {
  const current = plan.next.state.reporter;
  const free =
    current === undefined ||
    current === null ||
    input.now.getTime() > Date.parse(current.expiresAt) + LEASE_GRACE_MS;
  if (!free) return;
  plan.next.state.reporter = {
    tick: input.tick.id,
    holder: input.tick.holder,
    expiresAt: new Date(input.now.getTime() + REPORTER_TERM_MS).toISOString(),
  };
  plan.reporting = true;
}

/**
 * A patrol gone from the table is marked retired (once its lease is free), so that if it
 * comes back it starts afresh instead of replaying the slots it missed while away.
 */
function retireRemoved(plan: TickPlan, table: PatrolTable): void {
  const listed = new Set(table.patrols.map((p) => p.id));
  for (const [id, state] of Object.entries(plan.next.state.patrols)) {
    if (listed.has(id) || state.retiredAt !== undefined || state.lease !== null) continue;
    state.retiredAt = plan.next.writer.at;
    addEvent(plan, { type: 'retired', patrol: id });
  }
}

function addEvent(plan: TickPlan, event: LedgerEvent): void {
  plan.next.events.push(event);
  plan.changed = true;
}

function planPatrol(plan: TickPlan, patrol: Patrol, input: TickPlanInput): void {
  const nowIso = input.now.toISOString();
  let state = plan.next.state.patrols[patrol.id];
  if (state === undefined || state.retiredAt !== undefined) {
    // A new (or renamed, or returning) patrol starts at the tick: adding one never
    // backfills history. A returning one keeps its fencing token, which never goes back.
    state = { ...freshPatrolState(nowIso), fencingToken: state?.fencingToken ?? 0 };
    plan.next.state.patrols[patrol.id] = state;
    addEvent(plan, { type: 'first-seen', patrol: patrol.id, cursor: nowIso });
  }

  const slots = planSlots({
    spec: { expression: patrol.schedule, timezone: patrol.timezone },
    catchUp: patrol.catchUp,
    maxCatchUp: patrol.maxCatchUp,
    startingDeadlineMs: patrol.startingDeadlineMs,
    cursor: new Date(state.cursor),
    now: input.now,
  });
  const advanced = slots.cursor.toISOString() !== state.cursor;
  const scheduled = slots.due.map((slot) => slot.toISOString());
  const hasNewSlots = scheduled.length > 0 || slots.missedCount > 0;
  if (hasNewSlots && advanced) state.cursor = slots.cursor.toISOString();

  if (!patrol.enabled) {
    if (hasNewSlots) {
      const newest = scheduled.at(-1) ?? slots.missed.at(-1)?.toISOString() ?? null;
      recordMissed(plan, patrol, slots.missedCount + scheduled.length, 'disabled', newest);
    }
    plan.outcomes.push(outcome(patrol, null, 'disabled', 'the patrol is disabled'));
    return;
  }
  if (slots.missedCount > 0) {
    const newest = slots.missed.at(-1)?.toISOString() ?? null;
    recordMissed(plan, patrol, slots.missedCount, missedReason(patrol), newest);
    plan.outcomes.push({
      ...outcome(patrol, newest, 'missed', missedReason(patrol)),
      missedCount: slots.missedCount,
      missedCountIsLowerBound: slots.missedCountIsLowerBound,
    });
  }

  const forced = input.force && scheduled.length === 0;
  const due = forced ? [nowIso] : scheduled;
  if (due.length === 0) {
    plan.outcomes.push(idleOrDuplicate(patrol, state, input));
    return;
  }

  // A forced run claims no slot of the schedule: the next tick is idle, not a duplicate.
  if (!forced) state.lastClaim = { slot: due.at(-1) as string, tick: input.tick.id, at: nowIso };
  addEvent(plan, { type: 'claimed', patrol: patrol.id, slots: due, forced });
  applyPolicy(plan, patrol, state, due, forced, input);
}

function recordMissed(
  plan: TickPlan,
  patrol: Patrol,
  count: number,
  reason: string,
  newest: string | null = null,
): void {
  const state = plan.next.state.patrols[patrol.id] as PatrolState;
  addEvent(plan, {
    type: 'missed',
    patrol: patrol.id,
    count,
    newest: newest ?? state.cursor,
    reason,
  });
}

function missedReason(patrol: Patrol): string {
  switch (patrol.catchUp) {
    case 'latest':
      return 'catch-up latest runs only the most recent missed slot';
    case 'all':
      return `catch-up all runs at most ${patrol.maxCatchUp} missed slots`;
    case 'none':
      return 'catch-up none runs a slot only while it is on time';
  }
}

function idleOrDuplicate(patrol: Patrol, state: PatrolState, input: TickPlanInput): PlannedOutcome {
  const claim = state.lastClaim;
  if (claim !== null && claim.tick !== input.tick.id) {
    const sinceClaim = input.now.getTime() - Date.parse(claim.at);
    const spec = { expression: patrol.schedule, timezone: patrol.timezone };
    const newer = slotsAfter(spec, new Date(claim.slot), { until: input.now, limit: 1 });
    // Either side of the claim: ticks on different runners read the server's clock from
    // Date headers with one-second precision, so a doubled tick can seem a little earlier.
    if (newer.length === 0 && Math.abs(sinceClaim) <= DOUBLED_TICK_WINDOW_MS) {
      return outcome(
        patrol,
        claim.slot,
        'duplicate',
        `slot already claimed by tick ${claim.tick} at ${claim.at}`,
      );
    }
  }
  return outcome(patrol, null, 'idle', 'no slot due');
}

function applyPolicy(
  plan: TickPlan,
  patrol: Patrol,
  state: PatrolState,
  due: string[],
  forced: boolean,
  input: TickPlanInput,
): void {
  if (patrol.concurrency === 'allow') {
    grant(plan, patrol, state, due, forced, input, undefined);
    return;
  }

  const lease = state.lease;
  if (lease === null) {
    grant(plan, patrol, state, due, forced, input, undefined);
    return;
  }

  const liveness = input.liveness.get(lease.nonce);
  if (patrol.concurrency === 'forbid' && liveness === undefined) {
    // Forbid decides on the holder's liveness, expired or not (a killed tick's patrol may
    // still run): skip for now and ask for a probe; the tick plans again with the answer.
    plan.needsProbe.push({ patrol: patrol.id, lease });
    skip(plan, patrol, state, due, lease);
    return;
  }
  const status = leaseStatus(lease, input.now, liveness);
  if (status.dead) {
    grant(plan, patrol, state, due, forced, input, revoke(lease, status.reason, input));
    return;
  }
  if (patrol.concurrency === 'replace') {
    grant(plan, patrol, state, due, forced, input, revoke(lease, 'replaced', input));
    return;
  }

  // Forbid with a live lease: the slot is skipped, not queued.
  skip(plan, patrol, state, due, lease);
}

function revoke(lease: Lease, reason: Revocation['reason'], input: TickPlanInput): Revocation {
  return {
    nonce: lease.nonce,
    fencingToken: lease.fencingToken,
    holder: lease.holder,
    reason,
    at: input.now.toISOString(),
    by: input.tick.id,
    tick: lease.tick,
  };
}

function skip(plan: TickPlan, patrol: Patrol, state: PatrolState, due: string[], lease: Lease) {
  state.skippedInARow += due.length;
  const slot = due.at(-1) as string;
  addEvent(plan, {
    type: 'skipped',
    patrol: patrol.id,
    slot,
    heldBy: lease.nonce,
    fencingToken: lease.fencingToken,
  });
  const reason =
    `lease #${lease.fencingToken} is held by ${describeHolder(lease.holder)} ` +
    `since ${lease.grantedAt} (expires ${lease.expiresAt})`;
  plan.outcomes.push({
    ...outcome(patrol, slot, 'skipped', reason),
    fencingToken: lease.fencingToken,
  });
}

function grant(
  plan: TickPlan,
  patrol: Patrol,
  state: PatrolState,
  slots: string[],
  forced: boolean,
  input: TickPlanInput,
  takeover: Revocation | undefined,
): void {
  const nowIso = input.now.toISOString();
  const nonce = input.newNonce();
  const fencingToken = state.fencingToken + 1;
  const term = leaseTerm(patrol, slots.length);
  const expiresAt = new Date(input.now.getTime() + term.ttlMs).toISOString();
  state.fencingToken = fencingToken;
  state.skippedInARow = 0;

  const lease: Lease | null =
    patrol.concurrency === 'allow'
      ? null
      : {
          nonce,
          fencingToken,
          holder: input.tick.holder,
          version: input.tick.version,
          slots,
          policy: patrol.concurrency,
          tick: input.tick.id,
          grantedAt: nowIso,
          expiresAt,
          renewable: term.renewable,
        };
  if (lease !== null) state.lease = lease;
  if (takeover !== undefined) pushBounded(state.revocations, takeover, REVOCATIONS_LIMIT);

  addEvent(plan, {
    type: 'granted',
    patrol: patrol.id,
    nonce,
    fencingToken,
    holder: input.tick.holder,
    slots,
    leased: lease !== null,
    expiresAt,
    ...(takeover === undefined ? {} : { takeover }),
  });
  plan.grants.push({
    patrol,
    slots,
    nonce,
    fencingToken,
    lease,
    forced,
    ...(takeover === undefined ? {} : { takeover }),
  });
}

function outcome(
  patrol: Patrol,
  slot: string | null,
  kind: PlannedOutcomeKind,
  reason: string,
): PlannedOutcome {
  return { patrol: patrol.id, slot, outcome: kind, reason };
}
