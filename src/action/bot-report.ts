import { ACTIONS_BOT_LOGIN, GithubTracker } from '../report/github-tracker.js';
import { reportTick } from '../report/index.js';
import type { ReportedTick, ReportOutcome } from './report-seam.js';

/** The bot's issues for one tick, kept in the workflow's repository by its token. */
export async function reportOnIssues(tick: ReportedTick): Promise<ReportOutcome> {
  const [owner = '', repo = ''] = tick.repository.split('/');
  const botLogin = await whoAmI(tick);
  const tracker = new GithubTracker(tick.octokit, { owner, repo, log: tick.log, botLogin });
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

/**
 * The login the bot's issues are opened under, so that it finds them again: the `bot-login`
 * input; else the token's own user (a personal access token); else the Actions bot, whose
 * token cannot ask (GET /user answers 403). A GitHub App's token cannot ask either: name its
 * bot with the input (`<app-slug>[bot]`).
 */
async function whoAmI(tick: ReportedTick): Promise<string> {
  if (tick.botLogin !== undefined) return tick.botLogin;
  try {
    const { data } = await tick.octokit.rest.users.getAuthenticated();
    return data.login;
  } catch {
    return ACTIONS_BOT_LOGIN;
  }
}
