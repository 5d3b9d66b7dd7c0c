import type { Patrol, PatrolTable } from '../../config/types.js';
import type { FailureComment, FailureState } from '../failure.js';
import { failureKey, markerLine } from '../marker.js';
import { cellCode, cellText, factList, link, plural } from '../markdown.js';
import { describeOutcome, type PatrolRun } from '../runs.js';
import { formatDuration, formatEvery, formatInstant, formatSlot } from '../time.js';
import { scheduleLine } from './common.js';
import { fitBody } from './limits.js';
import { renderOutput, renderOutputExcerpt } from './output.js';

export function failureTitle(table: PatrolTable, patrolId: string): string {
  return `Patrol ${patrolId} is failing (${table.id})`;
}

export interface FailureBodyInput {
  table: PatrolTable;
  patrol: Pick<Patrol, 'id' | 'schedule' | 'timezone' | 'failureThreshold' | 'realertMs'>;
  state: FailureState;
  /** The newest failed run; its output is shown when this tick ran it. */
  run: PatrolRun;
}

/**
 * The body of a failure issue: what failed, when, how, with the end of the output. When the
 * body would be too long for GitHub, the output is cut first (its end is kept).
 */
export function renderFailureBody(input: FailureBodyInput): string {
  const outputLength = input.run.output?.length ?? 0;
  return fitBody((budget) => failureBody(input, budget), outputLength);
}

function failureBody(input: FailureBodyInput, outputBudget: number): string {
  const { table: patrolTable, patrol, state, run } = input;
  const facts: [string, string][] = [
    [
      'Patrol',
      `${cellCode(patrol.id)} in table ${cellCode(patrolTable.id)} (${cellCode(patrolTable.path)})`,
    ],
    ['Schedule', scheduleLine(patrol)],
    ['Failures in a row', streak(state)],
    [
      'Latest failure',
      `slot ${cellText(formatSlot(run.slot, patrol.timezone))}, lease ${run.fencingToken}`,
    ],
    ['Outcome', cellText(run.reason ?? describeOutcome(run))],
    ['Exit code', run.exitCode === null ? 'none (no exit status)' : `\`${run.exitCode}\``],
    ['Duration', formatDuration(run.durationMs)],
    ['Run', run.url === undefined ? 'no link known' : link('view the run', run.url)],
  ];
  return [
    markerLine(failureKey(patrolTable.id, patrol.id), state),
    `## ❌ Patrol ${cellCode(patrol.id)} is failing`,
    factList(facts),
    renderOutput(run.output, {
      budget: outputBudget,
      ...(run.outputTruncated === undefined ? {} : { runnerTruncated: run.outputTruncated }),
    }),
    '---',
    `<sub>Opened after ${plural(patrol.failureThreshold, 'failed run')} in a row. ` +
      `Cronwarden closes this issue when the patrol next succeeds, and reopens it if it fails ` +
      `again; while it keeps failing it adds a reminder at most once ` +
      `${formatEvery(patrol.realertMs)}.</sub>`,
    '',
  ].join('\n\n');
}

function streak(state: FailureState): string {
  const since = state.since === null ? '' : ` since ${formatInstant(state.since)}`;
  return `${state.failures}${since}`;
}

/** The text of a comment on a failure issue. */
export function renderFailureComment(comment: FailureComment, patrolId: string): string {
  switch (comment.kind) {
    case 'recovered': {
      const { recovery } = comment;
      const run = recovery.run;
      const head =
        recovery.failures === 0
          ? `✅ **Recovered**: ${cellCode(patrolId)} ran successfully`
          : `✅ **Recovered** after ${plural(recovery.failures, 'failure')}` +
            (recovery.downMs === null ? '' : `, down for ${formatDuration(recovery.downMs)}`);
      return (
        `${head}.\n\n` +
        `The run for slot ${formatInstant(run.slot)} (lease ${run.fencingToken}) ` +
        `succeeded in ${formatDuration(run.durationMs)}` +
        (run.url === undefined ? '.' : ` (${link('run', run.url)}).`) +
        '\n'
      );
    }
    case 'still-failing':
      return failingText('❌ **Still failing**', comment.state, comment.run);
    case 'failing-again':
      return failingText('❌ **Failing again**', comment.state, comment.run);
  }
}

function failingText(head: string, state: FailureState, run: PatrolRun): string {
  const since =
    state.since === null
      ? ''
      : ` since ${formatInstant(state.since)} (down for ${formatDuration(
          Date.parse(run.finishedAt) - Date.parse(state.since),
        )})`;
  const latest =
    `Latest: slot ${formatInstant(run.slot)} (lease ${run.fencingToken}) ` +
    `${cellText(run.reason ?? describeOutcome(run))} after ${formatDuration(run.durationMs)}` +
    (run.url === undefined ? '.' : ` (${link('run', run.url)}).`);
  const excerpt = renderOutputExcerpt(run.output);
  return [`${head}: ${plural(state.failures, 'failure')} in a row${since}.`, latest, excerpt]
    .filter((p) => p !== '')
    .join('\n\n')
    .concat('\n');
}

/** A closed issue keeps its text; only its marker (the state) is rewritten. */
export function withMarker(body: string, marker: string): string {
  const newline = body.indexOf('\n');
  return newline < 0 ? `${marker}\n` : `${marker}${body.slice(newline)}`;
}
