import { GithubTracker } from '../report/github-tracker.js';
import { reportTick } from '../report/index.js';
import type { ReportedTick, ReportOutcome } from './report-seam.js';

/** The bot's issues for one tick, kept in the workflow's repository by its token. */
export async function reportOnIssues(tick: ReportedTick): Promise<ReportOutcome> {
  const [owner = '', repo = ''] = tick.repository.split('/');
  const tracker = new GithubTracker(tick.octokit, { owner, repo, log: tick.log });
  const result = await reportTick(tick.table, tick.ledger, tick.report, tracker, {
    now: tick.now,
    log: tick.log,
    events: tick.events,
    // The ledger's run records name their tick, not their repository (a shared ledger has
    // ticks from several), so only this tick's runs can be linked with certainty.
    runUrl: (run) => (run.tick === tick.report.tick.id ? tick.runUrl : undefined),
  });
  return { written: result.written, failures: result.failures };
}
