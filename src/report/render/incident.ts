import type { Patrol, PatrolTable } from '../../config/types.js';
import { LEASE_GRACE_MS } from '../../ledger/lease.js';
import type { Revocation } from '../../ledger/types.js';
import type {
  CompactRun,
  IncidentState,
  OverlapState,
  StarvedState,
  StuckState,
  TakeoverState,
} from '../incidents.js';
import { LATE_SLOT_MS, STARVED_QUIET_MS, STUCK_SKIPS } from '../incidents.js';
import { markerLine } from '../marker.js';
import { cellCode, cellText, factList, link, plural, table } from '../markdown.js';
import { describeOutcome } from '../runs.js';
import { formatDuration, formatInstant, formatSpan } from '../time.js';
import { barStatus, holderText, scheduleLine } from './common.js';
import { renderGantt, type GanttBar } from './gantt.js';
import { cutBody } from './limits.js';

export interface IncidentRenderInput {
  key: string;
  table: PatrolTable;
  /** The patrol as the table has it now; undefined when it was removed. */
  patrol: Patrol | undefined;
  state: IncidentState;
}

export function incidentTitle(table: PatrolTable, state: IncidentState): string {
  const who = `${state.patrol} (${table.id})`;
  switch (state.kind) {
    case 'overlap':
      return `Overlap: two runs of ${who} at once, lease ${state.token}`;
    case 'stuck':
      return `Stuck: ${who} has held lease ${state.token} too long`;
    case 'starved':
      return `Starved schedule: ${who} runs late or misses slots`;
    case 'takeover':
      return `Stale takeover: lease ${state.token} of ${who} reclaimed from a dead holder`;
  }
}

/** The body of an incident issue, rendered from its state alone (so it is stable). */
export function renderIncidentBody(input: IncidentRenderInput): string {
  const parts = [markerLine(input.key, input.state), ...sections(input)];
  if (input.state.resolvedAt !== null) {
    parts.splice(
      2,
      0,
      `> ✅ Resolved at ${formatInstant(input.state.resolvedAt)}: ` +
        `${cellText(input.state.resolution ?? 'resolved')}.`,
    );
  }
  parts.push('---', '<sub>Written by Cronwarden from its ledger. See docs/reports.md.</sub>', '');
  return cutBody(parts.join('\n\n'));
}

function sections(input: IncidentRenderInput): string[] {
  switch (input.state.kind) {
    case 'overlap':
      return overlap(input, input.state);
    case 'stuck':
      return stuck(input, input.state);
    case 'starved':
      return starved(input, input.state);
    case 'takeover':
      return takeover(input, input.state);
  }
}

function patrolFacts(input: IncidentRenderInput): [string, string][] {
  const where = `${cellCode(input.state.patrol)} in table ${cellCode(input.table.id)}`;
  if (input.patrol === undefined) return [['Patrol', `${where} (no longer in the table)`]];
  return [
    ['Patrol', where],
    ['Schedule', scheduleLine(input.patrol)],
    ['Policy', input.patrol.concurrency],
  ];
}

function runsTable(runs: CompactRun[]): string {
  if (runs.length === 0) return '_The ledger keeps no run of it._';
  return table(
    ['Lease', 'Slot', 'Started', 'Finished', 'Outcome'],
    runs.map((r) => [
      String(r.token),
      formatInstant(r.slot),
      formatInstant(r.start),
      formatInstant(r.end),
      link(describeOutcome({ outcome: r.outcome, exitCode: r.exit }), r.url),
    ]),
  );
}

function runBars(runs: CompactRun[]): GanttBar[] {
  return runs.map((r) => ({
    label: `lease ${r.token} ${r.outcome}`,
    start: r.start,
    end: r.end,
    status: barStatus(r.outcome),
  }));
}

function revocationText(r: Revocation): string {
  const how: Record<Revocation['reason'], string> = {
    replaced: 'taken over by a newer run (policy replace)',
    'holder-gone': 'taken over because its holder was gone',
    expired: `taken over because it had expired (plus ${formatSpan(LEASE_GRACE_MS)} of grace)`,
    unlocked: 'unlocked by an administrator',
  };
  return (
    `${how[r.reason]} at ${formatInstant(r.at)} by ${cellCode(r.by)}; ` +
    `it was held by ${holderText(r.holder)}`
  );
}

function timeline(name: string, bars: GanttBar[]): string {
  const chart = renderGantt(`${name} (UTC)`, [{ name, bars }]);
  return `### Timeline\n\n${chart ?? '_Nothing to draw._'}`;
}

// ---- overlap

function overlapWindow(state: OverlapState): { from: string; to: string } | null {
  const own = state.runs.filter((r) => r.token === state.token);
  const others = state.runs.filter((r) => r.token !== state.token);
  let best: { from: string; to: string } | null = null;
  for (const a of own) {
    for (const b of others) {
      const from = a.start > b.start ? a.start : b.start;
      const to = a.end < b.end ? a.end : b.end;
      if (from < to && (best === null || from < best.from)) best = { from, to };
    }
  }
  return best;
}

function overlap(input: IncidentRenderInput, state: OverlapState): string[] {
  const window = overlapWindow(state);
  const evidence: Record<string, string> = {
    'overlap-event': 'its release found the lease gone (an overlap event in the ledger)',
    'outlived-lease': 'it went on running after its lease had ended',
    'intersecting-runs': 'the ledger shows runs whose times intersect',
  };
  const facts: [string, string][] = [
    ...patrolFacts(input),
    ['Overlapped lease', String(state.token)],
    [
      'How its lease ended',
      state.revocation === null
        ? 'unknown (the ledger no longer says)'
        : revocationText(state.revocation),
    ],
    [
      'Runs at the same time',
      window === null
        ? 'not known'
        : `from ${formatInstant(window.from)} to ${formatInstant(window.to)} ` +
          `(${formatDuration(Date.parse(window.to) - Date.parse(window.from))})`,
    ],
    ['Found because', state.evidence.map((e) => evidence[e] ?? e).join('; ')],
    ['Detected', formatInstant(state.detectedAt)],
  ];
  const bars = runBars(state.runs);
  if (state.revocation !== null) {
    bars.push({
      label: `lease ${state.token} ended`,
      start: state.revocation.at,
      end: state.revocation.at,
      status: 'milestone',
    });
  }
  return [
    `## ⚠️ Overlap: two runs of ${cellCode(state.patrol)} at once`,
    `Patrol ${cellCode(state.patrol)} has the **${state.policy}** policy: one run at a time. ` +
      `The run under lease ${state.token} was still going while another run held the patrol.`,
    factList(facts),
    timeline(state.patrol, bars),
    '### Runs in the ledger',
    runsTable(state.runs),
    '### What to do',
    'Check what both runs wrote: the fencing token handed to each run lets the systems it ' +
      'writes to refuse the older one. Then look for why the older run outlived its lease ' +
      '(a runner that lost the network, a clock far off, a run started outside Cronwarden). ' +
      '**Cronwarden never closes this issue**: close it when you are done.',
  ];
}

// ---- stuck

function stuck(input: IncidentRenderInput, state: StuckState): string[] {
  const lease = state.lease;
  const why: string[] = [];
  if (state.expired) {
    why.push(
      `held past its expiry at ${formatInstant(lease.expiresAt)} ` +
        `plus ${formatSpan(LEASE_GRACE_MS)} of grace`,
    );
  }
  if (state.skipped >= STUCK_SKIPS)
    why.push(`${plural(state.skipped, 'slot')} skipped in a row because it is held`);
  const facts: [string, string][] = [
    ...patrolFacts(input),
    ['Lease', `${lease.fencingToken}, held by ${holderText(lease.holder)}`],
    ['Granted', formatInstant(lease.grantedAt)],
    [
      'Expires',
      formatInstant(lease.expiresAt) +
        (lease.renewable ? ' (renewed by its holder while it runs)' : ''),
    ],
    ['Slots it runs', lease.slots.map(formatInstant).join(', ')],
    ['Why this is stuck', why.join('; ')],
    ['Detected', formatInstant(state.detectedAt)],
  ];
  const bars: GanttBar[] = [
    {
      label: `lease ${lease.fencingToken} held`,
      start: lease.grantedAt,
      end: lease.expiresAt,
      status: 'active',
    },
    {
      label: `lease ${lease.fencingToken} expires`,
      start: lease.expiresAt,
      end: lease.expiresAt,
      status: 'milestone',
    },
  ];
  return [
    `## ⏳ Stuck: ${cellCode(state.patrol)} has held lease ${state.token} too long`,
    `While this lease is held, every slot of ${cellCode(state.patrol)} is skipped.`,
    factList(facts),
    timeline(state.patrol, bars),
    '### What to do',
    'If the holder is still working, this closes by itself when it releases the lease. If it ' +
      'is gone, the next tick takes the lease over once it has expired; to free it at once, ' +
      `run \`cronwarden unlock ${state.patrol}\` with a reason. Cronwarden closes this issue ` +
      'when the lease is free.',
  ];
}

// ---- starved

function starved(input: IncidentRenderInput, state: StarvedState): string[] {
  const summary: string[] = [];
  if (state.lateCount > 0) {
    summary.push(
      `${plural(state.lateCount, 'slot')} ran more than ${formatSpan(LATE_SLOT_MS)} late ` +
        `(the worst by ${formatDuration(state.worstLateMs)})`,
    );
  }
  if (state.missedCount > 0) {
    summary.push(
      `${plural(state.missedCount, 'slot')} ${state.missedCount === 1 ? 'was' : 'were'} missed`,
    );
  }
  const facts: [string, string][] = [
    ...patrolFacts(input),
    ['What happened', summary.join('; ')],
    ['First seen', formatInstant(state.firstEvidenceAt)],
    ['Last seen', formatInstant(state.lastEvidenceAt)],
  ];
  const parts = [
    `## 🐢 Starved schedule: ${cellCode(state.patrol)} runs late or misses slots`,
    'GitHub started the ticker workflow late, or dropped scheduled runs of it: its schedule ' +
      'is best effort, and worst at the top of the hour.',
    factList(facts),
  ];
  if (state.late.length > 0) {
    parts.push(
      '### Late slots',
      table(
        ['Slot', 'Ran at', 'Late by'],
        state.late.map((l) => [
          formatInstant(l.slot),
          formatInstant(l.start),
          formatDuration(l.lateMs),
        ]),
      ),
      timeline(
        state.patrol,
        state.late.map((l) => ({
          label: `slot late ${formatDuration(l.lateMs)}`,
          start: l.slot,
          end: l.start,
          status: 'crit',
        })),
      ),
    );
  }
  if (state.missed.length > 0) {
    parts.push(
      '### Missed slots',
      table(
        ['Tick', 'Slots missed', 'Newest missed slot'],
        state.missed.map((m) => [
          formatInstant(m.at),
          String(m.count),
          m.newest === null ? '—' : formatInstant(m.newest),
        ]),
      ),
    );
  }
  parts.push(
    '### What to do',
    'Schedule the ticker at minutes other than :00, keep `catch-up` at `latest` or `all` so ' +
      'missed slots still run, or start ticks from another scheduler with `workflow_dispatch`. ' +
      `Cronwarden closes this issue after ${formatSpan(STARVED_QUIET_MS)} without a late ` +
      'or missed slot, and reopens it if the schedule starves again.',
  );
  return parts;
}

// ---- stale takeover

function takeover(input: IncidentRenderInput, state: TakeoverState): string[] {
  const r = state.revocation;
  const cause =
    r.reason === 'holder-gone'
      ? 'its holder had finished or died without releasing it'
      : 'it had expired and its holder had not renewed it within ' +
        `${formatSpan(LEASE_GRACE_MS)} of grace`;
  const facts: [string, string][] = [
    ...patrolFacts(input),
    ['Dead lease', `${state.token}, held by ${holderText(r.holder)}`],
    ['Reclaimed', `${formatInstant(r.at)} by tick ${cellCode(r.by)}`],
    ['Why', cause],
    ['Detected', formatInstant(state.detectedAt)],
  ];
  const bars = [
    ...runBars(state.runs),
    {
      label: `lease ${state.token} reclaimed`,
      start: r.at,
      end: r.at,
      status: 'milestone' as const,
    },
  ];
  return [
    `## 🪦 Stale takeover: lease ${state.token} of ${cellCode(state.patrol)} reclaimed`,
    `A tick took over lease ${state.token} because ${cause}. The run that held it may have ` +
      'stopped halfway (a runner that died, a job cancelled before its post step).',
    factList(facts),
    timeline(state.patrol, bars),
    '### Runs in the ledger',
    runsTable(state.runs),
    '### What to do',
    'Check that the interrupted run left nothing half done. Cronwarden closes this issue when ' +
      'the next run of the patrol succeeds.',
  ];
}

/** The comment posted when Cronwarden closes an incident. */
export function renderIncidentClosing(reason: string): string {
  return `✅ **Resolved**: ${cellText(reason)}. Closing.\n`;
}

/** The comment posted when a starved schedule starves again. */
export function renderIncidentReopening(state: IncidentState): string {
  if (state.kind !== 'starved') return '⚠️ **Again**: this incident happened again.\n';
  return (
    `🐢 **Starving again**: the latest late or missed slot was seen at ` +
    `${formatInstant(state.lastEvidenceAt)}.\n`
  );
}
