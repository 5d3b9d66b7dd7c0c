import { randomBytes } from 'node:crypto';
import type { PatrolTable } from '../config/types.js';
import type { TickIdentity } from '../ledger/plan.js';
import type { ShellPatrolRunnerOptions } from '../run/patrol-runner.js';
import { ledgerRef } from '../tick/ledger-io.js';
import { newNonce, releaseReporter, runTick } from '../tick/tick.js';
import type { PatrolRunner, TickLogger, TickReport } from '../tick/types.js';
import { VERSION } from '../version.js';
import { connect, type ClientFactory, type Connection } from './connect.js';
import { isPullRequestEvent, readJobContext, type JobContext } from './context.js';
import { describeFailure, errorMessage } from './failure.js';
import { GrantJournal } from './grant-journal.js';
import { parseInputs, type ActionEnv, type ActionInputs } from './inputs.js';
import { patrolEnvironment } from './patrol-environment.js';
import type { ActionKit } from './kit.js';
import { Phases } from './phases.js';
import { pullRequestFlow, type PullRequestFlow } from './pull-requests.js';
import { LedgerWitness } from './ledger-witness.js';
import type { ReportOutcome, TickReporter } from './report-seam.js';
import { STATE, type SavedLedger } from './state.js';
import {
  failedPatrols,
  renderFailureSummary,
  renderSummary,
  RUN_OUTCOMES,
  tickOutputs,
} from './summary.js';
import { loadPatrolTable } from './table.js';

/** What the Action needs from outside, passed in so that tests and the bench can fake it. */
export interface ActionFactories {
  kit: ActionKit;
  client: ClientFactory;
  runner: (options: ShellPatrolRunnerOptions) => PatrolRunner;
  /** The bot's reporting; absent where it is not wired in. */
  reporter?: TickReporter;
  /** Aborts when the job is cancelled: running patrols are stopped, then released. */
  cancelled?: AbortSignal;
  /** Where GITHUB_WORKSPACE is not set, the table and patrols are found from here. */
  cwd: string;
}

export interface ActionResult {
  /** Null when the step failed before the tick had a report. */
  report: TickReport | null;
  /** The message the step failed with, or null when it succeeded. */
  failure: string | null;
}

/** One step of the Action: a tick of the table, its report, outputs and summary. */
export async function run(env: ActionEnv, factories: ActionFactories): Promise<ActionResult> {
  const { kit } = factories;
  const phases = new Phases(kit);
  try {
    return await tickStep(env, factories, phases);
  } catch (error: unknown) {
    phases.close();
    const failure = describeFailure(error);
    if (error instanceof Error && error.stack !== undefined) kit.debug(error.stack);
    kit.setFailed(failure);
    await kit.writeSummary(renderFailureSummary(failure)).catch(() => undefined);
    return { report: null, failure };
  }
}

async function tickStep(
  env: ActionEnv,
  factories: ActionFactories,
  phases: Phases,
): Promise<ActionResult> {
  const { kit } = factories;
  const job = readJobContext(env, factories.cwd);
  const inputs = parseInputs(env, job.repository);
  kit.setSecret(inputs.token);

  phases.enter('load');
  const table = await loadPatrolTable(kit, job.workspace, inputs.config);
  const readOnly = isPullRequestEvent(job.event);
  const notes = modeNotes(job, inputs, readOnly);
  for (const note of notes) kit.info(note);
  const github = connect(env, job, inputs, factories.client, kit);
  const identity = tickIdentity(job);

  phases.enter('claim');
  kit.info(`tick ${identity.id} as ${describeJob(job)}; ledger ${describeLedger(inputs, table)}`);
  const claim: ClaimContext = {
    env,
    factories,
    phases,
    dryRun: inputs.dryRun || readOnly,
    witness: new LedgerWitness(),
  };
  const report = await claimAndRun(table, inputs, job, identity, github, claim);

  phases.enter('release');
  logReleases(kit, report);
  if (!claim.dryRun) kit.saveState(STATE.released, 'true');

  phases.enter('report');
  await publish(report, { table, inputs, job, github, claim, notes, identity });
  phases.close();

  const failure = stepFailure(report, factories.cancelled);
  if (failure !== null) kit.setFailed(failure);
  return { report, failure };
}

/** The tick's report: the bot's issues, the step's outputs, the job summary. */
async function publish(
  report: TickReport,
  tick: {
    table: PatrolTable;
    inputs: ActionInputs;
    job: JobContext;
    github: Connection;
    claim: ClaimContext;
    notes: string[];
    identity: TickIdentity;
  },
): Promise<void> {
  const { kit, cancelled } = tick.claim.factories;
  const notes = [...tick.notes];
  if (cancelled?.aborted === true) {
    notes.push('The job was cancelled: running patrols were stopped and their leases released.');
  }
  const issues = await reportToBot(tick.claim, tick.inputs, {
    report,
    table: tick.table,
    job: tick.job,
    github: tick.github,
    identity: tick.identity,
  });
  for (const [name, value] of Object.entries(tickOutputs(report))) {
    kit.info(`output ${name}: ${name === 'report' ? '(the report as JSON)' : value}`);
    kit.setOutput(name, value);
  }
  await kit.writeSummary(renderSummary(report, { notes, ...(issues ? { issues } : {}) }));
}

interface ClaimContext {
  env: ActionEnv;
  factories: ActionFactories;
  phases: Phases;
  dryRun: boolean;
  witness: LedgerWitness;
}

async function claimAndRun(
  table: PatrolTable,
  inputs: ActionInputs,
  job: JobContext,
  identity: TickIdentity,
  github: Connection,
  context: ClaimContext,
): Promise<TickReport> {
  const { kit } = context.factories;
  const journal = new GrantJournal(newNonce, (nonces) =>
    kit.saveState(STATE.nonces, JSON.stringify(nonces)),
  );
  if (!context.dryRun) {
    // Saved before the claim can land, so the post step can find the ledger whatever
    // happens to this process from here on.
    const saved: SavedLedger = {
      repository: inputs.lockRepository,
      ref: ledgerRef(table.id),
      tick: identity.id,
    };
    kit.saveState(STATE.ledger, JSON.stringify(saved));
  }
  const pulls = await proposals(table, job, github, context);
  const shell = context.factories.runner({
    baseDir: job.workspace,
    env: patrolEnvironment(context.env),
  });
  return runTick(
    table,
    {
      store: context.witness.watch(journal.guard(github.store)),
      runner: phasedRunner(shell, context, pulls),
      probe: github.probe,
      identity,
      log: tickLogger(kit),
      newNonce: journal.newNonce,
      ...(pulls === null ? {} : { afterRun: pulls.afterRun }),
      watchIntervalMs: inputs.watchIntervalMs,
      maxParallel: inputs.maxParallel,
    },
    {
      dryRun: context.dryRun,
      force: inputs.force,
      configPath: inputs.config,
      report: inputs.report && context.factories.reporter !== undefined,
      ...(inputs.patrol === undefined ? {} : { patrol: inputs.patrol }),
      ...(context.factories.cancelled === undefined ? {} : { signal: context.factories.cancelled }),
    },
  );
}

/** The pull-request flow, when a patrol of the table proposes its changes. */
async function proposals(
  table: PatrolTable,
  job: JobContext,
  github: Connection,
  context: ClaimContext,
): Promise<PullRequestFlow | null> {
  if (context.dryRun || !table.patrols.some((p) => p.pullRequest !== undefined)) return null;
  return pullRequestFlow({
    table,
    octokit: github.octokit,
    repository: job.repository,
    workspace: job.workspace,
    runUrl: job.runUrl,
    log: tickLogger(context.factories.kit),
  });
}

/**
 * The shell runner, seen from the Action: the first patrol to start ends the claim phase;
 * a proposing patrol starts from a clean workspace; each patrol's output goes to the log,
 * quoted, when it ends.
 */
function phasedRunner(
  shell: PatrolRunner,
  context: ClaimContext,
  pulls: PullRequestFlow | null,
): PatrolRunner {
  const { kit } = context.factories;
  return {
    async run(patrol, runContext, lost) {
      context.phases.enter('run');
      kit.info(
        `${patrol.id}: starting for slot ${runContext.slot} ` +
          `(fencing token #${runContext.fencingToken}${runContext.forced ? ', forced' : ''})`,
      );
      await pulls?.prepare(patrol);
      const result = await shell.run(patrol, runContext, lost);
      const succeeded = result.exitCode === 0 && !result.aborted && !result.timedOut;
      if (!succeeded) await pulls?.discard(patrol);
      if (result.output !== '') {
        kit.info(`${patrol.id}: output${result.outputTruncated ? ' (the end of it)' : ''}:`);
        kit.quote(result.output);
      }
      return result;
    },
  };
}

function logReleases(kit: ActionKit, report: TickReport): void {
  const runs = report.patrols.filter((p) => RUN_OUTCOMES.includes(p.outcome));
  if (report.tick.dryRun) kit.info('dry run: nothing was granted, nothing to release');
  else if (runs.length === 0) kit.info('nothing was granted, nothing to release');
  for (const p of runs) {
    kit.info(
      `${p.id}: recorded ${p.outcome} for slot ${p.slot ?? '-'} ` +
        `(fencing token #${p.fencingToken ?? '-'}): ${p.reason}`,
    );
  }
  kit.info(`${report.tick.writes} ledger write(s) in this tick`);
}

async function reportToBot(
  claim: ClaimContext,
  inputs: ActionInputs,
  tick: {
    report: TickReport;
    table: PatrolTable;
    job: JobContext;
    github: Connection;
    identity: TickIdentity;
  },
): Promise<ReportOutcome | null> {
  const { kit, reporter } = claim.factories;
  if (!inputs.report) return skipReport(kit, 'issue reports are off (input report: false)');
  if (claim.dryRun) return skipReport(kit, 'dry run: the bot leaves its issues as they are');
  if (reporter === undefined) return skipReport(kit, 'issue reports are not wired in here');
  // Only the tick holding the ledger's reporter lease writes issues, so two ticks never open
  // the same one. A tick that changed nothing has nothing new to report; one that lost the
  // lease to a concurrent tick leaves the report to it (reports come from the ledger).
  if (!tick.report.tick.reporting) {
    return skipReport(
      kit,
      'the bot leaves its issues to another tick: this one changed nothing in the ledger, ' +
        'or a concurrent tick is reporting',
    );
  }
  try {
    const outcome = await reporter({
      report: tick.report,
      table: tick.table,
      ledger: claim.witness.latest(),
      events: claim.witness.events,
      now: await tick.github.store.now(),
      octokit: tick.github.octokit,
      repository: tick.job.repository,
      runUrl: tick.job.runUrl,
      log: tickLogger(kit),
      ...(inputs.botLogin === undefined ? {} : { botLogin: inputs.botLogin }),
    });
    if (outcome.written.length === 0 && outcome.failures.length === 0) {
      kit.info('the bot’s issues were already up to date');
    }
    return outcome;
  } catch (error: unknown) {
    // The tick itself is done and recorded; the next tick reports again.
    const failure = `The issue report failed: ${errorMessage(error)}`;
    kit.warning(failure);
    return { written: [], failures: [failure] };
  } finally {
    await releaseReporter(
      { store: tick.github.store, identity: tick.identity, log: tickLogger(kit) },
      tick.report.tick.ref,
    );
  }
}

function skipReport(kit: ActionKit, why: string): null {
  kit.info(why);
  return null;
}

function stepFailure(report: TickReport, cancelled: AbortSignal | undefined): string | null {
  const failed = failedPatrols(report);
  if (cancelled?.aborted === true) {
    const stopped = failed.map((p) => p.id).join(', ');
    return (
      'The job was cancelled during the tick.' +
      (stopped === '' ? '' : ` Stopped, recorded and released: ${stopped}.`)
    );
  }
  if (failed.length === 0) return null;
  const named = failed.map((p) => `${p.id} ${p.outcome} (${p.reason})`).join('; ');
  return `${failed.length === 1 ? 'A patrol' : `${failed.length} patrols`} did not succeed: ${named}.`;
}

function modeNotes(job: JobContext, inputs: ActionInputs, readOnly: boolean): string[] {
  if (readOnly) {
    return [
      `This is a ${job.event} event: the table was validated and the tick ran as a dry ` +
        'run. Nothing was written to the ledger and no patrol ran.',
    ];
  }
  if (inputs.dryRun) return ['Dry run (input dry-run): nothing was written and no patrol ran.'];
  return [];
}

/**
 * Ticks are named by the run that made them. Two jobs of one run with the same id (a
 * matrix) would share a holder, so the name also carries a few random characters.
 */
function tickIdentity(job: JobContext): TickIdentity {
  const { runId, runAttempt } = job.holder;
  return {
    id: `${runId}.${runAttempt}-${randomBytes(3).toString('hex')}`,
    holder: job.holder,
    version: VERSION,
  };
}

function describeJob(job: JobContext): string {
  const { repository, runId, runAttempt, job: name } = job.holder;
  return `${repository} run ${runId} attempt ${runAttempt} job ${name} (${job.event})`;
}

function describeLedger(inputs: ActionInputs, table: PatrolTable): string {
  return `${ledgerRef(table.id)} in ${inputs.lockRepository}`;
}

function tickLogger(kit: ActionKit): TickLogger {
  return {
    info: (message) => kit.info(message),
    warn: (message) => kit.warning(message),
    debug: (message) => kit.debug(message),
  };
}
