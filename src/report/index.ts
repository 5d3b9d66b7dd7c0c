import type { Patrol, PatrolTable } from '../config/types.js';
import type { LedgerDocument, LedgerEvent } from '../ledger/types.js';
import type { TickReport } from '../tick/types.js';
import { decideFailure, readFailureState, type FailureDecision } from './failure.js';
import {
  detectIncidents,
  hasNewEvidence,
  kindOfKey,
  merge,
  readIncidentState,
  resolution,
  type IncidentState,
} from './incidents.js';
import { belongsToTable, dashboardKey, failureKey, markerLine } from './marker.js';
import {
  dashboardTitle,
  readDashboardState,
  rememberLinks,
  renderDashboard,
  updateMissed,
  type MissedEntry,
} from './render/dashboard.js';
import {
  failureTitle,
  renderFailureBody,
  renderFailureComment,
  withMarker,
} from './render/failure.js';
import {
  incidentTitle,
  renderIncidentBody,
  renderIncidentClosing,
  renderIncidentReopening,
} from './render/incident.js';
import { isFailure, runsOf, type PatrolRun, type RunUrlBuilder } from './runs.js';
import {
  applyIssue,
  IssueIndex,
  withTrackerLock,
  type DesiredIssue,
  type OwnIssue,
  type SyncContext,
} from './sync.js';
import { silentLog, type IssueTracker, type ReportLog } from './tracker.js';

export type { IssueTracker, TrackedIssue, ReportLog, NewIssue, IssuePatch } from './tracker.js';
export type { RunUrlBuilder } from './runs.js';
export { ACTIONS_BOT_LOGIN, GithubTracker, type GithubTrackerOptions } from './github-tracker.js';
export { FILE_BOT_LOGIN, FileTracker } from './file-tracker.js';
export { GithubPullRequestHost } from './github-pull-host.js';
export {
  BranchRefError,
  proposeChanges,
  PullRequestConfigError,
  PullRequestExistsError,
  workspaceChanges,
  type FileChange,
  type ProposeInput,
  type ProposeResult,
  type PullRequestHost,
  type PullRequestInfo,
} from './pull-request.js';

/** The labels the bot puts on issues it opens. */
export interface ReportLabels {
  /** On every issue of the bot's. */
  bot: string;
  dashboard: string;
  failure: string;
  incident: string;
}

export const DEFAULT_LABELS: ReportLabels = {
  bot: 'cronwarden',
  dashboard: 'cronwarden: dashboard',
  failure: 'cronwarden: failing',
  incident: 'cronwarden: incident',
};

export interface ReportOptions {
  /** The tick's time (the server's clock); the reporter never reads the machine's. */
  now: Date;
  log?: ReportLog;
  /** A link to the run behind a patrol's run, when the ledger's record has none. */
  runUrl?: RunUrlBuilder;
  labels?: Partial<ReportLabels>;
  /**
   * Every ledger event the tick wrote, when the caller kept them. The document after the tick
   * carries only its last commit's events; overlaps are also found from its state without
   * these, but an overlap recorded in an earlier commit of the tick is surest with them.
   */
  events?: LedgerEvent[];
}

/** What a report did. It never throws: failures are listed for the job summary. */
export interface ReportResult {
  ok: boolean;
  written: string[];
  failures: string[];
}

/**
 * Report one tick on the tracker: the failure issue of each patrol, incidents, and the
 * dashboard. One report at a time per tracker (within this process), writes one at a time,
 * and only what changed.
 */
export async function reportTick(
  table: PatrolTable,
  ledger: LedgerDocument | null,
  tick: TickReport,
  tracker: IssueTracker,
  options: ReportOptions,
): Promise<ReportResult> {
  const log = options.log ?? silentLog;
  const result: ReportResult = { ok: true, written: [], failures: [] };
  if (tick.tick.dryRun) {
    log.info('dry run: no issue is written');
    return result;
  }
  try {
    await withTrackerLock(tracker, () =>
      report({ table, ledger, tick, tracker, options, log, result }),
    );
  } catch (error: unknown) {
    fail(result, log, 'report', error);
  }
  result.ok = result.failures.length === 0;
  return result;
}

interface Job {
  table: PatrolTable;
  ledger: LedgerDocument | null;
  tick: TickReport;
  tracker: IssueTracker;
  options: ReportOptions;
  log: ReportLog;
  result: ReportResult;
}

interface Context extends Job {
  sync: SyncContext;
  labels: ReportLabels;
  usable: Set<string>;
  runs: Map<string, PatrolRun[]>;
  now: Date;
}

function fail(result: ReportResult, log: ReportLog, what: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  result.failures.push(`${what}: ${message}`);
  log.warn(`report: ${what} failed: ${message}`);
}

async function report(job: Job): Promise<void> {
  const { tracker, log, result, options } = job;
  const labels: ReportLabels = { ...DEFAULT_LABELS, ...options.labels };
  const usable = await usableLabels(tracker, labels, log);

  let index: IssueIndex;
  try {
    index = await IssueIndex.load(tracker, options.now);
  } catch (error: unknown) {
    // Without the full list, any creation could be a duplicate: write nothing.
    fail(result, log, 'listing issues', error);
    return;
  }
  const sync: SyncContext = {
    tracker,
    index,
    log,
    wrote: (what) => {
      result.written.push(what);
      log.info(`report: ${what}`);
    },
  };
  const runs = new Map<string, PatrolRun[]>();
  for (const patrol of job.table.patrols) {
    runs.set(patrol.id, runsOf(patrol.id, job.ledger, job.tick, options.runUrl));
  }
  const ctx: Context = { ...job, sync, labels, usable, runs, now: options.now };

  for (const patrol of sortedPatrols(job.table)) {
    await attempt(ctx, failureKey(job.table.id, patrol.id), () => syncFailure(ctx, patrol));
  }
  for (const desired of incidentPlans(ctx)) {
    await attempt(ctx, desired.key, () => applyIssue(sync, desired));
  }
  await attempt(ctx, dashboardKey(job.table.id), () => syncDashboard(ctx));
}

async function attempt(ctx: Context, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error: unknown) {
    fail(ctx.result, ctx.log, what, error);
  }
}

function sortedPatrols(table: PatrolTable): Patrol[] {
  return [...table.patrols].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Missing labels are created; those that cannot be are dropped with a warning, never fatal. */
async function usableLabels(tracker: IssueTracker, labels: ReportLabels, log: ReportLog) {
  const wanted = [...new Set(Object.values(labels))];
  try {
    const usable = new Set(await tracker.ensureLabels(wanted));
    const dropped = wanted.filter((l) => !usable.has(l));
    if (dropped.length > 0) {
      log.warn(`report: labels ${dropped.join(', ')} cannot be used; issues go without them`);
    }
    return usable;
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    log.warn(`report: labels could not be checked (${message}); issues are opened without them`);
    return new Set<string>();
  }
}

function labelsFor(ctx: Context, kind: 'dashboard' | 'failure' | 'incident'): string[] {
  return [ctx.labels.bot, ctx.labels[kind]].filter((l) => ctx.usable.has(l));
}

// ---- failure issues

async function syncFailure(ctx: Context, patrol: Patrol): Promise<void> {
  const key = failureKey(ctx.table.id, patrol.id);
  const found = ctx.sync.index.find(key);
  const stored = found === undefined ? null : readFailureState(found.marker.state);
  const decision = decideFailure({
    patrol,
    runs: ctx.runs.get(patrol.id) ?? [],
    issue: found === undefined ? null : { state: found.issue.state, stored },
    now: ctx.now,
  });
  if (decision.action === 'none') return;
  await applyIssue(ctx.sync, {
    key,
    title: failureTitle(ctx.table, patrol.id),
    body: failureBody(ctx, patrol, key, decision, found),
    labels: labelsFor(ctx, 'failure'),
    state: decision.action === 'close' ? 'closed' : 'open',
    comments: decision.comments.map((c) => renderFailureComment(c, patrol.id)),
    mayReopen: true,
  });
}

function failureBody(
  ctx: Context,
  patrol: Patrol,
  key: string,
  decision: FailureDecision,
  found: OwnIssue | undefined,
): string {
  const latest =
    decision.latestFailure ??
    (ctx.runs.get(patrol.id) ?? []).filter((r) => isFailure(r.outcome)).at(-1);
  // A closed issue keeps the failure it was about; only its state changes.
  if (decision.action === 'close' || latest === undefined) {
    return withMarker(found?.issue.body ?? '', markerLine(key, decision.state));
  }
  return renderFailureBody({ table: ctx.table, patrol, state: decision.state, run: latest });
}

// ---- incidents

function incidentPlans(ctx: Context): DesiredIssue[] {
  const findings = detectIncidents({
    table: ctx.table,
    ledger: ctx.ledger,
    tick: ctx.tick,
    runs: ctx.runs,
    events: [...(ctx.ledger?.events ?? []), ...(ctx.options.events ?? [])],
    now: ctx.now,
  });
  const plans: DesiredIssue[] = [];
  const seen = new Set<string>();
  for (const finding of findings) {
    seen.add(finding.key);
    const plan = planIncident(ctx, finding.key, finding.state);
    if (plan !== null) plans.push(plan);
  }
  for (const own of ctx.sync.index.own()) {
    const key = own.marker.key;
    if (seen.has(key) || own.issue.state !== 'open' || !key.startsWith('incident:')) continue;
    if (!belongsToTable(key, ctx.table.id)) continue;
    const plan = planIncident(ctx, key, null);
    if (plan !== null) plans.push(plan);
  }
  return plans;
}

/**
 * The wanted issue for one incident key, from what its issue knows merged with what this
 * tick found (null: nothing found now, only a resolution check of an open issue).
 */
function planIncident(ctx: Context, key: string, found: IncidentState | null): DesiredIssue | null {
  const kind = kindOfKey(key);
  if (kind === null) return null;
  const own = ctx.sync.index.find(key);
  const known = own === undefined ? null : readIncidentState(own.marker.state, kind);
  if (known === null && found === null) return null;
  const isClosed = own?.issue.state === 'closed';
  let state =
    known === null ? (found as IncidentState) : found === null ? known : merge(known, found);
  const news = known !== null && hasNewEvidence(known, state);
  // Closed (by Cronwarden or a person) with nothing new: leave it exactly as it is.
  const settled = known !== null && (known.resolvedAt !== null || state === known);
  if (isClosed && !news && settled) return null;

  const resolved = resolution(state, { ledger: ctx.ledger, runs: ctx.runs, now: ctx.now });
  if (resolved !== null && state.resolvedAt === null) {
    state = { ...state, resolvedAt: ctx.now.toISOString(), resolution: resolved };
  }
  const comments: string[] = [];
  if (resolved !== null && own?.issue.state === 'open') {
    comments.push(renderIncidentClosing(resolved));
  }
  if (resolved === null && isClosed && news) comments.push(renderIncidentReopening(state));

  const patrol = ctx.table.patrols.find((p) => p.id === state.patrol);
  return {
    key,
    title: incidentTitle(ctx.table, state),
    body: renderIncidentBody({ key, table: ctx.table, patrol, state }),
    labels: labelsFor(ctx, 'incident'),
    state: resolved === null ? 'open' : 'closed',
    comments,
    mayReopen: news,
  };
}

// ---- dashboard

async function syncDashboard(ctx: Context): Promise<void> {
  const key = dashboardKey(ctx.table.id);
  const found = ctx.sync.index.find(key);
  const additions: Record<string, MissedEntry> = {};
  for (const p of ctx.tick.patrols) {
    if (p.outcome !== 'missed') continue;
    additions[p.id] = {
      tick: ctx.tick.tick.id,
      at: ctx.tick.tick.now,
      count: (additions[p.id]?.count ?? 0) + (p.missedCount ?? 1),
      newest: p.slot,
    };
  }
  const missed = updateMissed(readDashboardState(found?.marker.state), additions, ctx.now);
  const { state, runs } = rememberLinks(missed, ctx.runs);
  const openIssues = ctx.sync.index
    .own()
    .filter((o) => o.issue.state === 'open' && belongsToTable(o.marker.key, ctx.table.id))
    .map((o) => ({ number: o.issue.number, title: o.issue.title, url: o.issue.url }));
  await applyIssue(ctx.sync, {
    key,
    title: dashboardTitle(ctx.table),
    body: renderDashboard({
      table: ctx.table,
      ledger: ctx.ledger,
      ref: ctx.tick.tick.ref,
      runs,
      state,
      openIssues,
      now: ctx.now,
    }),
    labels: labelsFor(ctx, 'dashboard'),
    state: 'open',
    comments: [],
    // A dashboard someone closed is kept up to date, but not reopened against their will.
    mayReopen: false,
  });
}
