import type { ConcurrencyPolicy, Patrol, PatrolTable } from '../config/types.js';
import { LEASE_GRACE_MS } from '../ledger/lease.js';
import type {
  Lease,
  LedgerDocument,
  LedgerEvent,
  PatrolState,
  Revocation,
  RunOutcome,
  RunRecord,
} from '../ledger/types.js';
import { MIN_TICK_INTERVAL_MINUTES } from '../schedule/index.js';
import type { TickReport } from '../tick/types.js';
import { incidentKey, type IncidentKind } from './marker.js';
import { compareRuns, fromRecord, runId, type PatrolRun } from './runs.js';
import { DURATIONS, formatInstant } from './time.js';

/**
 * Incidents: things about the scheduler itself that a maintainer should know, found purely
 * from the ledger after a tick and the tick's report. Each has a key (one issue per key,
 * ever) and a state that lives in its issue's marker; detection merges into that state, so
 * evidence seen again on a later tick changes nothing and writes nothing.
 */

/** A slot that ran this much after its time means GitHub's ticks came late. */
export const LATE_SLOT_MS = 3 * MIN_TICK_INTERVAL_MINUTES * DURATIONS.MINUTE;

/** This many slots skipped in a row under one lease mean the patrol is stuck. */
export const STUCK_SKIPS = 3;

/** A starved schedule is resolved after this long without a late or missed slot. */
export const STARVED_QUIET_MS = DURATIONS.DAY;

/** Late slots and stale takeovers older than this when first seen are history, not news. */
export const FRESH_EVIDENCE_MS = DURATIONS.DAY;

/** Evidence lists kept in a marker are bounded; counts keep growing. */
const EVIDENCE_LIMIT = 20;

/** A run, small enough to keep in a marker. */
export interface CompactRun {
  token: number;
  slot: string;
  start: string;
  end: string;
  outcome: RunOutcome;
  exit: number | null;
  url?: string;
}

interface IncidentBase {
  v: 1;
  patrol: string;
  detectedAt: string;
  /** Set when Cronwarden found it resolved (and closed the issue). */
  resolvedAt: string | null;
  resolution: string | null;
}

export interface OverlapState extends IncidentBase {
  kind: 'overlap';
  token: number;
  policy: ConcurrencyPolicy;
  runs: CompactRun[];
  /** How the lease of the overlapped run ended, when the ledger still says. */
  revocation: Revocation | null;
  /** What showed it: an overlap event, a run outliving its revoked lease, intersecting runs. */
  evidence: string[];
}

export interface StuckState extends IncidentBase {
  kind: 'stuck';
  token: number;
  lease: Lease;
  /** Held past its expiry plus the grace period. */
  expired: boolean;
  /** The most slots seen skipped in a row under it. */
  skipped: number;
}

export interface LateSlot {
  slot: string;
  start: string;
  lateMs: number;
}

export interface MissedSlots {
  tick: string;
  at: string;
  count: number;
  newest: string | null;
}

export interface StarvedState extends IncidentBase {
  kind: 'starved';
  late: LateSlot[];
  missed: MissedSlots[];
  lateCount: number;
  missedCount: number;
  worstLateMs: number;
  firstEvidenceAt: string;
  lastEvidenceAt: string;
}

export interface TakeoverState extends IncidentBase {
  kind: 'takeover';
  token: number;
  revocation: Revocation;
  /** Runs under the dead lease and the first ones after it, for the timeline. */
  runs: CompactRun[];
}

export type IncidentState = OverlapState | StuckState | StarvedState | TakeoverState;

export interface Finding {
  key: string;
  state: IncidentState;
}

export interface DetectInput {
  table: PatrolTable;
  ledger: LedgerDocument | null;
  tick: TickReport;
  runs: ReadonlyMap<string, PatrolRun[]>;
  /** Ledger events of the tick: the final commit's, plus any the caller collected. */
  events: LedgerEvent[];
  now: Date;
}

export function compact(run: PatrolRun | RunRecord): CompactRun {
  const token = run.fencingToken;
  const out: CompactRun = {
    token,
    slot: run.slot,
    start: run.startedAt,
    end: run.finishedAt,
    outcome: run.outcome,
    exit: run.exitCode,
  };
  if (run.url !== undefined) out.url = run.url;
  return out;
}

function base(patrol: string, now: Date): IncidentBase {
  return { v: 1, patrol, detectedAt: now.toISOString(), resolvedAt: null, resolution: null };
}

/** Everything this tick shows, one finding per key. */
export function detectIncidents(input: DetectInput): Finding[] {
  const findings = new Map<string, Finding>();
  const add = (finding: Finding) => {
    const known = findings.get(finding.key);
    findings.set(
      finding.key,
      known === undefined
        ? finding
        : { key: finding.key, state: merge(known.state, finding.state) },
    );
  };
  for (const patrol of input.table.patrols) {
    const state = input.ledger?.state.patrols[patrol.id];
    const runs = input.runs.get(patrol.id) ?? [];
    for (const f of overlaps(input, patrol, state, runs)) add(f);
    const stuck = stuckLease(input, patrol, state);
    if (stuck !== null) add(stuck);
    const starved = starvation(input, patrol, runs);
    if (starved !== null) add(starved);
    for (const f of takeovers(input, patrol, state, runs)) add(f);
  }
  return [...findings.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

// ---- overlap

function overlapFinding(
  input: DetectInput,
  patrol: Patrol,
  token: number,
  runs: PatrolRun[],
  revocation: Revocation | null,
  evidence: string,
): Finding {
  const state: OverlapState = {
    ...base(patrol.id, input.now),
    kind: 'overlap',
    token,
    policy: patrol.concurrency,
    runs: runs.map(compact).sort(compareCompact),
    revocation,
    evidence: [evidence],
  };
  return { key: incidentKey(input.table.id, 'overlap', patrol.id, token), state };
}

/**
 * A replace patrol's old run stopped because its lease was taken over is the policy at work
 * (it runs on only until its watcher notices, seconds), not an incident.
 */
function replacedAsDesigned(outcome: RunOutcome, revocation: Revocation | null): boolean {
  return revocation?.reason === 'replaced' && outcome === 'lost-lease';
}

function intersects(a: PatrolRun, b: PatrolRun): boolean {
  return (
    Date.parse(a.startedAt) < Date.parse(b.finishedAt) &&
    Date.parse(b.startedAt) < Date.parse(a.finishedAt)
  );
}

function overlaps(
  input: DetectInput,
  patrol: Patrol,
  state: PatrolState | undefined,
  runs: PatrolRun[],
): Finding[] {
  if (patrol.concurrency === 'allow') return [];
  const revokedByNonce = new Map((state?.revocations ?? []).map((r) => [r.nonce, r]));
  const found: Finding[] = [];
  const partners = (run: PatrolRun) =>
    runs.filter((r) => r.fencingToken !== run.fencingToken && intersects(r, run));

  for (const event of input.events) {
    if (event.type !== 'overlap' || event.patrol !== patrol.id) continue;
    if (replacedAsDesigned(event.run.outcome, event.revokedBy)) continue;
    const run =
      runs.find((r) => runId(r) === runId(event.run)) ??
      fromRecord(patrol.id, event.run, undefined);
    found.push(
      overlapFinding(
        input,
        patrol,
        run.fencingToken,
        [run, ...partners(run)],
        event.revokedBy,
        'overlap-event',
      ),
    );
  }

  for (const run of runs) {
    const revocation = run.nonce === null ? undefined : revokedByNonce.get(run.nonce);
    if (revocation === undefined || replacedAsDesigned(run.outcome, revocation)) continue;
    if (Date.parse(run.finishedAt) <= Date.parse(revocation.at)) continue;
    found.push(
      overlapFinding(
        input,
        patrol,
        run.fencingToken,
        [run, ...partners(run)],
        revocation,
        'outlived-lease',
      ),
    );
  }

  for (const [i, a] of runs.entries()) {
    for (const b of runs.slice(i + 1)) {
      if (a.fencingToken === b.fencingToken || !intersects(a, b)) continue;
      const [first] = [a, b].sort(compareRuns) as [PatrolRun, PatrolRun];
      const revocation = first.nonce === null ? null : (revokedByNonce.get(first.nonce) ?? null);
      if (replacedAsDesigned(first.outcome, revocation)) continue;
      found.push(
        overlapFinding(input, patrol, first.fencingToken, [a, b], revocation, 'intersecting-runs'),
      );
    }
  }
  return found;
}

// ---- stuck

function stuckLease(
  input: DetectInput,
  patrol: Patrol,
  state: PatrolState | undefined,
): Finding | null {
  const lease = state?.lease;
  if (state === undefined || lease === null || lease === undefined) return null;
  const expired = input.now.getTime() > Date.parse(lease.expiresAt) + LEASE_GRACE_MS;
  if (!expired && state.skippedInARow < STUCK_SKIPS) return null;
  const stuck: StuckState = {
    ...base(patrol.id, input.now),
    kind: 'stuck',
    token: lease.fencingToken,
    lease,
    expired,
    skipped: state.skippedInARow,
  };
  return { key: incidentKey(input.table.id, 'stuck', patrol.id, lease.fencingToken), state: stuck };
}

// ---- starved schedule

/**
 * Late slots: a tick's first run started more than LATE_SLOT_MS after the slot. Runs of one
 * tick start one after another, so each slot is measured against when its tick began.
 */
export function lateSlots(runs: PatrolRun[], now: Date): LateSlot[] {
  const tickStart = new Map<string, number>();
  for (const run of runs) {
    const start = Date.parse(run.startedAt);
    tickStart.set(run.tick, Math.min(tickStart.get(run.tick) ?? start, start));
  }
  const from = now.getTime() - FRESH_EVIDENCE_MS;
  const late: LateSlot[] = [];
  for (const run of runs) {
    const began = tickStart.get(run.tick) as number;
    const lateMs = began - Date.parse(run.slot);
    if (lateMs > LATE_SLOT_MS && Date.parse(run.slot) >= from) {
      late.push({ slot: run.slot, start: new Date(began).toISOString(), lateMs });
    }
  }
  return late;
}

function starvation(input: DetectInput, patrol: Patrol, runs: PatrolRun[]): Finding | null {
  const late = lateSlots(runs, input.now);
  const missed: MissedSlots[] = input.tick.patrols
    .filter((p) => p.id === patrol.id && p.outcome === 'missed')
    .map((p) => ({
      tick: input.tick.tick.id,
      at: input.tick.tick.now,
      count: p.missedCount ?? 1,
      newest: p.slot,
    }));
  if (late.length === 0 && missed.length === 0) return null;
  const times = [...late.map((l) => l.start), ...missed.map((m) => m.at)].sort();
  const state: StarvedState = {
    ...base(patrol.id, input.now),
    kind: 'starved',
    late,
    missed,
    lateCount: late.length,
    missedCount: missed.reduce((sum, m) => sum + m.count, 0),
    worstLateMs: Math.max(0, ...late.map((l) => l.lateMs)),
    firstEvidenceAt: times[0] as string,
    lastEvidenceAt: times.at(-1) as string,
  };
  return { key: incidentKey(input.table.id, 'starved', patrol.id), state };
}

// ---- stale takeover

function takeovers(
  input: DetectInput,
  patrol: Patrol,
  state: PatrolState | undefined,
  runs: PatrolRun[],
): Finding[] {
  const from = input.now.getTime() - FRESH_EVIDENCE_MS;
  const revocations = new Map<number, Revocation>();
  for (const r of state?.revocations ?? []) {
    if (Date.parse(r.at) >= from) revocations.set(r.fencingToken, r);
  }
  for (const event of input.events) {
    if (event.type === 'granted' && event.patrol === patrol.id && event.takeover !== undefined) {
      revocations.set(event.takeover.fencingToken, event.takeover);
    }
  }
  const found: Finding[] = [];
  for (const revocation of revocations.values()) {
    if (revocation.reason !== 'holder-gone' && revocation.reason !== 'expired') continue;
    const token = revocation.fencingToken;
    const related = runs.filter((r) => r.fencingToken >= token).slice(0, 4);
    const takeover: TakeoverState = {
      ...base(patrol.id, input.now),
      kind: 'takeover',
      token,
      revocation,
      runs: related.map(compact),
    };
    found.push({ key: incidentKey(input.table.id, 'takeover', patrol.id, token), state: takeover });
  }
  return found;
}

// ---- merging what is known with what is new

function compareCompact(a: CompactRun, b: CompactRun): number {
  return compareRuns(
    { fencingToken: a.token, slot: a.slot },
    { fencingToken: b.token, slot: b.slot },
  );
}

function unionRuns(known: CompactRun[], added: CompactRun[]): CompactRun[] {
  const byId = new Map<string, CompactRun>();
  // A run is a fact: what the issue knows of it stays (with its link, which a later tick
  // may not be able to build), and only runs it does not know are added.
  for (const run of [...known, ...added]) {
    const id = `${run.token}@${run.slot}`;
    if (!byId.has(id)) byId.set(id, run);
  }
  return [...byId.values()].sort(compareCompact);
}

/**
 * What is known (from the issue) merged with what was found now. The result keeps the first
 * detection time, so re-detecting old evidence leaves the state (and the body) unchanged.
 */
export function merge(known: IncidentState, found: IncidentState): IncidentState {
  if (known.kind === 'overlap' && found.kind === 'overlap') {
    return {
      ...known,
      runs: unionRuns(known.runs, found.runs),
      revocation: known.revocation ?? found.revocation,
      evidence: [...new Set([...known.evidence, ...found.evidence])].sort(),
    };
  }
  if (known.kind === 'stuck' && found.kind === 'stuck') {
    return {
      ...known,
      lease: found.lease,
      expired: known.expired || found.expired,
      skipped: Math.max(known.skipped, found.skipped),
    };
  }
  if (known.kind === 'starved' && found.kind === 'starved') return mergeStarved(known, found);
  if (known.kind === 'takeover' && found.kind === 'takeover') {
    return { ...known, runs: unionRuns(known.runs, found.runs).slice(0, 6) };
  }
  return known;
}

function mergeStarved(known: StarvedState, found: StarvedState): StarvedState {
  // Only evidence newer than the latest counts: the lists are bounded, so a late slot
  // that fell off the list must not come back as news.
  const newLate = found.late.filter(
    (l) => l.start > known.lastEvidenceAt && !known.late.some((k) => k.slot === l.slot),
  );
  const newMissed = found.missed.filter(
    (m) => m.at > known.lastEvidenceAt && !known.missed.some((k) => k.tick === m.tick),
  );
  if (newLate.length === 0 && newMissed.length === 0) return known;

  const times = [...newLate.map((l) => l.start), ...newMissed.map((m) => m.at)].sort();
  return {
    ...known,
    late: [...known.late, ...newLate]
      .sort((a, b) => (a.slot < b.slot ? -1 : 1))
      .slice(-EVIDENCE_LIMIT),
    missed: [...known.missed, ...newMissed]
      .sort((a, b) => (a.at < b.at ? -1 : 1))
      .slice(-EVIDENCE_LIMIT),
    lateCount: known.lateCount + newLate.length,
    missedCount: known.missedCount + newMissed.reduce((sum, m) => sum + m.count, 0),
    worstLateMs: Math.max(known.worstLateMs, ...newLate.map((l) => l.lateMs)),
    lastEvidenceAt: times.at(-1) as string,
    resolvedAt: null,
    resolution: null,
  };
}

/** Whether a starved state gained evidence over `known` (then a closed issue reopens). */
export function hasNewEvidence(known: IncidentState, merged: IncidentState): boolean {
  return (
    known.kind === 'starved' &&
    merged.kind === 'starved' &&
    merged.lastEvidenceAt !== known.lastEvidenceAt
  );
}

// ---- resolution

export interface ResolveInput {
  ledger: LedgerDocument | null;
  runs: ReadonlyMap<string, PatrolRun[]>;
  now: Date;
}

/**
 * Whether an incident is over, and why; null while it is not. An overlap is never resolved
 * by Cronwarden: someone has to look at what two runs at once did.
 */
export function resolution(state: IncidentState, input: ResolveInput): string | null {
  switch (state.kind) {
    case 'overlap':
      return null;
    case 'stuck': {
      const lease = input.ledger?.state.patrols[state.patrol]?.lease ?? null;
      if (lease?.fencingToken === state.token) return null;
      return lease === null
        ? `lease ${state.token} is no longer held and the patrol's lease is free`
        : `lease ${state.token} is no longer held ` +
            `(the patrol now runs under lease ${lease.fencingToken})`;
    }
    case 'starved': {
      const quietFor = input.now.getTime() - Date.parse(state.lastEvidenceAt);
      return quietFor >= STARVED_QUIET_MS
        ? 'no slot has run late or been missed for 24 hours'
        : null;
    }
    case 'takeover': {
      const next = (input.runs.get(state.patrol) ?? []).find(
        (run) => run.fencingToken > state.token && run.outcome === 'ran',
      );
      return next === undefined
        ? null
        : `the next run succeeded (lease ${next.fencingToken}, slot ${formatInstant(next.slot)})`;
    }
  }
}

export function readIncidentState(raw: unknown, kind: IncidentKind): IncidentState | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const s = raw as Partial<IncidentState>;
  if (s.v !== 1 || s.kind !== kind || typeof s.patrol !== 'string') return null;
  if (typeof s.detectedAt !== 'string') return null;
  switch (kind) {
    case 'overlap':
      return Array.isArray((s as OverlapState).runs) && Array.isArray((s as OverlapState).evidence)
        ? (s as OverlapState)
        : null;
    case 'stuck':
      return typeof (s as StuckState).lease === 'object' ? (s as StuckState) : null;
    case 'starved':
      return Array.isArray((s as StarvedState).late) && Array.isArray((s as StarvedState).missed)
        ? (s as StarvedState)
        : null;
    case 'takeover':
      return typeof (s as TakeoverState).revocation === 'object' ? (s as TakeoverState) : null;
  }
}

/** The kind named in an incident key (`incident:TABLE:KIND:...`). */
export function kindOfKey(key: string): IncidentKind | null {
  const kind = key.split(':')[2];
  return kind === 'overlap' || kind === 'stuck' || kind === 'starved' || kind === 'takeover'
    ? kind
    : null;
}
