import type { Patrol, PatrolTable } from '../../config/types.js';
import type { LedgerDocument, PatrolState } from '../../ledger/types.js';
import { nextSlots } from '../../schedule/index.js';
import { dashboardKey, markerLine } from '../marker.js';
import { cellCode, cellText, link, plural, table } from '../markdown.js';
import { describeOutcome, outcomeIcon, runId, type PatrolRun } from '../runs.js';
import { DURATIONS, formatDuration, formatInstant, formatSlot } from '../time.js';
import { holderText, runBar, scheduleLine } from './common.js';
import { renderGantt } from './gantt.js';
import { cutBody } from './limits.js';

/** Missed slots a tick reported for a patrol; kept in the dashboard's marker for a day. */
export interface MissedEntry {
  tick: string;
  at: string;
  count: number;
  newest: string | null;
}

/** The link to a patrol's last run, by run id (fencing token and slot). */
export interface RunLink {
  run: string;
  url: string;
}

export interface DashboardState {
  v: 1;
  missed: Record<string, MissedEntry[]>;
  /**
   * Links to each patrol's last run. The ledger's records carry none, and a later tick may
   * not be able to build one (see RunUrlBuilder), so the dashboard remembers them: a link
   * that came and went would rewrite the dashboard on ticks where nothing happened.
   */
  links: Record<string, RunLink>;
}

export interface OpenIssueLink {
  number: number;
  title: string;
  url: string;
}

export interface DashboardInput {
  table: PatrolTable;
  ledger: LedgerDocument | null;
  /** The ledger ref, e.g. refs/cronwarden/main. */
  ref: string;
  runs: ReadonlyMap<string, PatrolRun[]>;
  state: DashboardState;
  openIssues: OpenIssueLink[];
  now: Date;
}

export const DASHBOARD_WINDOW_MS = DURATIONS.DAY;

export function dashboardTitle(table: PatrolTable): string {
  return `Cronwarden dashboard: ${table.id}`;
}

/**
 * The dashboard of one patrol table. Everything in it comes from the data (the table, the
 * ledger, the runs, the issues), never from the time of the tick, so a tick that changed
 * nothing renders the very same text and the issue is not written.
 */
export function renderDashboard(input: DashboardInput): string {
  const { table, ledger, ref } = input;
  const patrols = [...table.patrols].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const sections = [
    markerLine(dashboardKey(table.id), input.state),
    `# Patrols of ${cellCode(table.id)}`,
    intro(table, ledger, ref),
    '## Open issues',
    openIssues(input.openIssues),
    '## Patrols',
    patrolTable(patrols, input),
    '## Runs in the last 24 hours',
    timeline(patrols, input),
    '---',
    '<sub>Kept up to date by Cronwarden after every tick that changes something. ' +
      'Edits to this issue are overwritten.</sub>',
  ];
  return cutBody(`${sections.join('\n\n')}\n`);
}

function intro(table: PatrolTable, ledger: LedgerDocument | null, ref: string): string {
  const source =
    `Table ${cellCode(table.id)} from ${cellCode(table.path)}, ` + `ledger ${cellCode(ref)}.`;
  if (ledger === null) return `${source} The ledger has not been written yet.`;
  return (
    `${source} State as of the ledger commit written at ${formatInstant(ledger.writer.at)} ` +
    `by tick ${cellCode(ledger.writer.tick)} (Cronwarden ${cellText(ledger.writer.version)}).`
  );
}

function openIssues(issues: OpenIssueLink[]): string {
  if (issues.length === 0) return 'None: no patrol is failing and there is no open incident. ✅';
  return [...issues]
    .sort((a, b) => a.number - b.number)
    .map((i) => `- ${link(`#${i.number}`, i.url)} ${cellText(i.title)}`)
    .join('\n');
}

function patrolTable(patrols: Patrol[], input: DashboardInput): string {
  const rows = patrols.map((patrol) => {
    const state = input.ledger?.state.patrols[patrol.id];
    const runs = input.runs.get(patrol.id) ?? [];
    return [
      cellCode(patrol.id),
      scheduleLine(patrol),
      patrol.enabled ? patrol.concurrency : `${patrol.concurrency} (disabled)`,
      lastRun(runs.at(-1)),
      nextSlot(patrol, state, input),
      leaseCell(state),
      missedCell(input.state.missed[patrol.id] ?? []),
    ];
  });
  return table(
    ['Patrol', 'Schedule', 'Policy', 'Last run', 'Next slot', 'Lease', 'Missed (24h)'],
    rows,
  );
}

function lastRun(run: PatrolRun | undefined): string {
  if (run === undefined) return 'not yet';
  const what =
    `${outcomeIcon(run.outcome)} ${describeOutcome(run)} ` + `in ${formatDuration(run.durationMs)}`;
  return `${link(what, run.url)}<br>slot ${formatInstant(run.slot)}`;
}

function nextSlot(patrol: Patrol, state: PatrolState | undefined, input: DashboardInput): string {
  if (!patrol.enabled) return '— (disabled)';
  // From the cursor, not from now: the answer changes only when the ledger does.
  const after =
    state === undefined ? (input.ledger?.writer.at ?? input.now.toISOString()) : state.cursor;
  try {
    const [next] = nextSlots(
      { expression: patrol.schedule, timezone: patrol.timezone },
      new Date(after),
      1,
    );
    return next === undefined ? 'none' : cellText(formatSlot(next.toISOString(), patrol.timezone));
  } catch {
    return 'unknown';
  }
}

function leaseCell(state: PatrolState | undefined): string {
  const lease = state?.lease;
  if (lease === null || lease === undefined) return 'free';
  return (
    `🔒 lease ${lease.fencingToken} held by ${holderText(lease.holder)}<br>` +
    `since ${formatInstant(lease.grantedAt)}, expires ${formatInstant(lease.expiresAt)}` +
    (state !== undefined && state.skippedInARow > 0
      ? `<br>${plural(state.skippedInARow, 'slot')} skipped in a row`
      : '')
  );
}

function missedCell(entries: MissedEntry[]): string {
  const total = entries.reduce((sum, e) => sum + e.count, 0);
  if (total === 0) return '0';
  const newest = entries
    .map((e) => e.newest)
    .filter((s): s is string => s !== null)
    .sort()
    .at(-1);
  return newest === undefined ? String(total) : `⚠️ ${total}, latest ${formatInstant(newest)}`;
}

function timeline(patrols: Patrol[], input: DashboardInput): string {
  const from = input.now.getTime() - DASHBOARD_WINDOW_MS;
  const sections = patrols.map((patrol) => ({
    name: patrol.id,
    bars: (input.runs.get(patrol.id) ?? [])
      .filter((run) => Date.parse(run.finishedAt) > from)
      .map(runBar),
  }));
  const chart = renderGantt('Runs by patrol (UTC), failures in red', sections);
  return chart ?? 'No runs in the last 24 hours.';
}

/** Keep a day of missed-slot reports, adding this tick's (once, by tick id). */
export function updateMissed(
  state: DashboardState,
  additions: Record<string, MissedEntry>,
  now: Date,
): DashboardState {
  const from = now.getTime() - DASHBOARD_WINDOW_MS;
  const missed: Record<string, MissedEntry[]> = {};
  const patrols = new Set([...Object.keys(state.missed), ...Object.keys(additions)]);
  for (const patrol of [...patrols].sort()) {
    const entries = [...(state.missed[patrol] ?? [])];
    const added = additions[patrol];
    if (added !== undefined && !entries.some((e) => e.tick === added.tick)) entries.push(added);
    const recent = entries.filter((e) => Date.parse(e.at) > from).slice(-50);
    if (recent.length > 0) missed[patrol] = recent;
  }
  return { ...state, v: 1, missed };
}

/** Fill in the last run's link from memory where it is unknown now, and remember new ones. */
export function rememberLinks(
  state: DashboardState,
  runs: ReadonlyMap<string, PatrolRun[]>,
): { state: DashboardState; runs: Map<string, PatrolRun[]> } {
  const links: Record<string, RunLink> = {};
  const linked = new Map<string, PatrolRun[]>();
  for (const [patrol, list] of [...runs.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const last = list.at(-1);
    if (last === undefined) {
      linked.set(patrol, list);
      continue;
    }
    const id = runId(last);
    const known = state.links[patrol];
    const url = last.url ?? (known?.run === id ? known.url : undefined);
    if (url !== undefined) links[patrol] = { run: id, url };
    linked.set(patrol, [...list.slice(0, -1), { ...last, url }]);
  }
  return { state: { ...state, links }, runs: linked };
}

export function readDashboardState(raw: unknown): DashboardState {
  const state: DashboardState = { v: 1, missed: {}, links: {} };
  if (typeof raw !== 'object' || raw === null) return state;
  const { missed, links } = raw as { missed?: unknown; links?: unknown };
  for (const [patrol, list] of Object.entries(isRecord(missed) ? missed : {})) {
    if (!Array.isArray(list)) continue;
    const entries = list.filter(isMissedEntry);
    if (entries.length > 0) state.missed[patrol] = entries;
  }
  for (const [patrol, link] of Object.entries(isRecord(links) ? links : {})) {
    if (isRecord(link) && typeof link.run === 'string' && typeof link.url === 'string') {
      state.links[patrol] = { run: link.run, url: link.url };
    }
  }
  return state;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMissedEntry(value: unknown): value is MissedEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.tick === 'string' &&
    typeof e.at === 'string' &&
    typeof e.count === 'number' &&
    (e.newest === null || typeof e.newest === 'string')
  );
}
