import { tickReportJson } from '../tick/json.js';
import type { PatrolOutcome, PatrolReport, TickReport } from '../tick/types.js';

/** Outcomes of a patrol that was started in this tick. */
export const RUN_OUTCOMES: readonly PatrolOutcome[] = [
  'ran',
  'failed',
  'timed-out',
  'lost-lease',
  'cancelled',
  'error',
];

/** Outcomes that fail the step (after everything is released and reported). */
export const FAILURE_OUTCOMES: readonly PatrolOutcome[] = [
  'failed',
  'timed-out',
  'lost-lease',
  'error',
];

/** Due, but not run by this tick: a live lease held it, or another tick claimed it. */
const NOT_RUN_OUTCOMES: readonly PatrolOutcome[] = ['skipped', 'duplicate'];

/** The tail of a patrol's output shown in the summary; the log has the whole tail. */
export const SUMMARY_OUTPUT_CHARS = 8_000;

/** GitHub takes at most 1 MiB of summary per step; outputs stop well before that. */
export const SUMMARY_OUTPUTS_BUDGET_CHARS = 256_000;

export interface TickOutputs {
  fired: string;
  skipped: string;
  missed: string;
  'fencing-tokens': string;
  report: string;
}

/** The step's outputs: JSON lists of patrol ids, tokens by patrol, and the report. */
export function tickOutputs(report: TickReport): TickOutputs {
  const fired = report.patrols.filter((p) => RUN_OUTCOMES.includes(p.outcome));
  const tokens: Record<string, number> = {};
  for (const p of fired) if (p.fencingToken !== null) tokens[p.id] = p.fencingToken;
  return {
    fired: JSON.stringify(idsWith(report, RUN_OUTCOMES)),
    skipped: JSON.stringify(idsWith(report, NOT_RUN_OUTCOMES)),
    missed: JSON.stringify(idsWith(report, ['missed'])),
    'fencing-tokens': JSON.stringify(tokens),
    report: JSON.stringify(reportJson(report)),
  };
}

function idsWith(report: TickReport, outcomes: readonly PatrolOutcome[]): string[] {
  const ids = report.patrols.filter((p) => outcomes.includes(p.outcome)).map((p) => p.id);
  return [...new Set(ids)];
}

/**
 * The report as the `report` output: the documented JSON of `cronwarden tick --json`,
 * without the patrols' output, which later steps and jobs need not see (the log has it).
 */
export function reportJson(report: TickReport) {
  return tickReportJson(report, { withOutput: false });
}

/** Patrols whose run makes the step fail, in report order, each named once. */
export function failedPatrols(report: TickReport): PatrolReport[] {
  return report.patrols.filter((p) => FAILURE_OUTCOMES.includes(p.outcome));
}

export interface SummaryContext {
  /** Sentences that come first: why this was a dry run, a cancellation. */
  notes: string[];
  /** What the bot did to its issues, when it reported. */
  issues?: { written: string[]; failures: string[] };
}

/** The job summary: the human report of the tick. */
export function renderSummary(report: TickReport, context: SummaryContext): string {
  const t = report.tick;
  const lines = [`### Cronwarden tick \`${t.id}\``, ''];
  for (const note of context.notes) lines.push(`> ${cell(note)}`, '');
  lines.push(
    `Table \`${t.table}\` from \`${cell(t.config)}\`, ledger \`${t.ref}\` in ` +
      `\`${cell(t.store)}\`, at ${t.now} (server time), ${plural(t.writes, 'ledger write')}` +
      `, Cronwarden ${t.version}.`,
    '',
  );
  lines.push(...patrolTable(report.patrols), '');
  if (context.issues !== undefined) lines.push(...issueLines(context.issues), '');
  lines.push(...outputSections(report.patrols));
  return `${lines.join('\n').trimEnd()}\n`;
}

/** A summary for a tick that stopped before it had a report. */
export function renderFailureSummary(message: string): string {
  return `### Cronwarden tick failed\n\n${codeBlock(message)}\n`;
}

function patrolTable(patrols: PatrolReport[]): string[] {
  if (patrols.length === 0) return ['No patrol was considered.'];
  const rows = [
    '| Patrol | Outcome | Slot | Fencing token | Exit | Duration | Reason |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const p of patrols) {
    const cells = [
      `\`${p.id}\``,
      outcomeLabel(p),
      p.slot ?? '–',
      p.fencingToken === null ? '–' : `#${p.fencingToken}`,
      p.exitCode === null ? '–' : String(p.exitCode),
      p.durationMs === null ? '–' : duration(p.durationMs),
      cell(p.reason),
    ];
    rows.push(`| ${cells.join(' | ')} |`);
  }
  return rows;
}

function issueLines(issues: { written: string[]; failures: string[] }): string[] {
  if (issues.written.length === 0 && issues.failures.length === 0) {
    return ['The bot’s issues were already up to date.'];
  }
  return [
    '**Issues**',
    '',
    ...issues.written.map((line) => `- ${cell(line)}`),
    ...issues.failures.map((line) => `- could not: ${cell(line)}`),
  ];
}

function outcomeLabel(p: PatrolReport): string {
  const label = FAILURE_OUTCOMES.includes(p.outcome) ? `**${p.outcome}**` : p.outcome;
  return p.missedCount === undefined ? label : `${label} (${p.missedCount})`;
}

function outputSections(patrols: PatrolReport[]): string[] {
  const sections: string[] = [];
  let budget = SUMMARY_OUTPUTS_BUDGET_CHARS;
  for (const p of patrols) {
    if (p.output === undefined || p.output === '') continue;
    const cut = p.output.length > SUMMARY_OUTPUT_CHARS || p.outputTruncated === true;
    const tail = p.output.slice(-SUMMARY_OUTPUT_CHARS);
    if (tail.length > budget) {
      sections.push('Further output is left out of this summary; the step log has it.');
      break;
    }
    budget -= tail.length;
    const title = `Output of <code>${escapeHtml(p.id)}</code> for ${p.slot ?? 'the run'}`;
    sections.push(
      `<details><summary>${title}${cut ? ' (the end of it)' : ''}</summary>`,
      '',
      codeBlock(tail),
      '',
      '</details>',
      '',
    );
  }
  return sections;
}

/** A fence longer than any run of backticks inside, so the text cannot close it early. */
export function codeBlock(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}\n${text.replace(/\n$/, '')}\n${fence}`;
}

/** One line of a table cell or a quote: no line breaks, no pipes, no HTML. */
export function cell(text: string): string {
  return escapeHtml(text.replace(/\s*\n\s*/g, ' ')).replace(/\|/g, '\\|');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function duration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
