import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Patrol, PatrolTable } from '../../config/types.js';
import type { Revocation } from '../../ledger/types.js';
import { FileTracker, reportTick } from '../../report/index.js';
import type { LedgerStore } from '../../store/types.js';
import { readLedger } from '../../tick/ledger-io.js';
import { currentProcessHolder } from '../../run/process-identity.js';
import { probeLocalHolder, stopLocalRun } from '../../run/local-holders.js';
import { repositoryRoot } from '../repository.js';
import { shellPatrolRunner } from '../../run/patrol-runner.js';
import { openStore } from '../../store/open.js';
import { tickReportJson } from '../../tick/json.js';
import { releaseReporter, runTick } from '../../tick/tick.js';
import type { PatrolReport, TickLogger, TickReport } from '../../tick/types.js';
import { VERSION } from '../../version.js';
import { parse, parseCount, parseInstant } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { json, table, type Output } from '../output.js';
import { CONFIG_HELP, configOption, loadWithWarnings } from '../table-input.js';

export const STORE_HELP = `  -s, --store SPEC    where the ledger lives: git:PATH (a git repository, created bare
                      if absent, except by a dry run) or memory: (this process only);
                      default: the git repository of the current directory`;

export const tickCommand: Command = {
  name: 'tick',
  summary: 'run one tick: claim due slots in the ledger, run the patrols, record the results',
  help: `Usage: cronwarden tick [--config PATH] [--store SPEC] [--now ISO] [--dry-run]
                       [--patrol ID [--force]] [--json]

Reads the ledger, works out which slots are due (catching up missed ones as each
patrol's catch-up rule says), applies each patrol's concurrency policy against its
lease, writes the whole plan in one compare-and-swap, runs the granted patrols, and
records each result in the ledger.

Options:
${CONFIG_HELP}
${STORE_HELP}
      --now ISO       tick as if it were this instant, with its zone (2026-03-08T05:45:00Z);
                      default: the store's clock. Cursors and leases follow it.
      --dry-run       show the plan; write nothing, run nothing
  -p, --patrol ID     only this patrol; the others are left exactly as they are
      --force         run now even if no slot is due, through the same policy (with
                      --patrol: that patrol; without: every enabled patrol)
      --max-parallel N  patrols run at once (default 4)
      --report-dir DIR  also write what the bot would post on GitHub (dashboard, failure
                      and incident issues) as Markdown files in DIR, kept up to date by
                      later ticks with the same DIR
      --json          one JSON object: {"tick":{...},"patrols":[{"id","slot","outcome",
                      "reason","exitCode","durationMs","fencingToken"}]}
  -v, --verbose       log each step on stderr
  -h, --help          show this help

Outcomes: ran, failed, timed-out, lost-lease, error, skipped, missed, duplicate, idle,
disabled, planned (dry run). See the README for what each means.

Exit status: 0 the tick worked (even if nothing ran), 1 invalid input, 2 usage error,
3 a patrol failed, timed out, could not start or lost its lease, 4 the ledger could not
be used.`,

  async run(argv, io, env) {
    const { values } = parse(argv, {
      ...configOption,
      store: { type: 'string', short: 's' },
      now: { type: 'string' },
      'dry-run': { type: 'boolean' },
      patrol: { type: 'string', short: 'p' },
      force: { type: 'boolean' },
      'max-parallel': { type: 'string' },
      'report-dir': { type: 'string' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
    });
    const now = values.now === undefined ? undefined : parseInstant(values.now, '--now');
    const maxParallel =
      values['max-parallel'] === undefined
        ? 4
        : parseCount(values['max-parallel'], '--max-parallel', 64);
    const loaded = await loadWithWarnings(values.config, io, env.cwd);
    // A dry run writes nothing, not even a new repository at a mistyped path.
    const store = await openStore(values.store, env.cwd, { create: values['dry-run'] !== true });
    const holder = await currentProcessHolder();
    const log = stderrLogger(io, values.verbose === true);
    const signal = env.cancellation?.();

    const reportDir = values['report-dir'];
    const deps = {
      store,
      runner: shellPatrolRunner({ baseDir: await repositoryRoot(env.cwd), env: env.env }),
      probe: probeLocalHolder,
      stopReplaced: (revocation: Revocation, patrol: Patrol) =>
        stopLocalRun(revocation, patrol, log),
      identity: { id: randomBytes(6).toString('hex'), holder, version: VERSION },
      log,
      maxParallel,
    };
    const report = await runTick(loaded.table, deps, {
      dryRun: values['dry-run'] === true,
      force: values.force === true,
      configPath: loaded.table.path,
      report: reportDir !== undefined,
      ...(now === undefined ? {} : { now }),
      ...(values.patrol === undefined ? {} : { patrol: values.patrol }),
      ...(signal === undefined ? {} : { signal }),
    });

    io.out(values.json ? json(tickReportJson(report)) : formatReport(report));
    if (reportDir !== undefined) {
      if (report.tick.reporting) {
        try {
          await writeReports(loaded.table, store, report, resolve(env.cwd, reportDir), io);
        } finally {
          await releaseReporter(deps, report.tick.ref);
        }
      } else {
        io.err(
          `Reports: not written by this tick (${report.tick.dryRun ? 'a dry run' : 'the ledger did not change, or another tick is writing them'}).`,
        );
      }
    }
    return report.patrols.some(isFailure) ? EXIT.patrolFailed : EXIT.ok;
  },
};

/** What the bot would post, as Markdown files: the same renderers and rules as on GitHub. */
async function writeReports(
  table: PatrolTable,
  store: LedgerStore,
  report: TickReport,
  dir: string,
  io: Output,
): Promise<void> {
  const { document } = await readLedger(store, report.tick.ref);
  const result = await reportTick(table, document, report, new FileTracker(dir), {
    now: new Date(report.tick.now),
    log: { info: () => {}, debug: () => {}, warn: (message) => io.err(`warning: ${message}`) },
  });
  for (const failure of result.failures) io.err(`warning: report: ${failure}`);
  io.err(
    result.written.length === 0
      ? `Reports in ${dir}: nothing changed.`
      : `Reports in ${dir}: ${result.written.join('; ')}.`,
  );
}

function isFailure(report: PatrolReport): boolean {
  return ['failed', 'timed-out', 'lost-lease', 'error'].includes(report.outcome);
}

function stderrLogger(io: Output, verbose: boolean): TickLogger {
  return {
    info: (message) => verbose && io.err(message),
    warn: (message) => io.err(`warning: ${message}`),
    debug: (message) => verbose && io.err(message),
  };
}

export function formatReport(report: TickReport): string {
  const t = report.tick;
  const header =
    `Tick ${t.id} at ${t.now}${t.dryRun ? ' (dry run: nothing written, nothing run)' : ''}\n` +
    `  table ${t.table} (${t.config}), ledger ${t.ref} in ${t.store}, ${t.writes} ledger writes`;
  const rows = [['PATROL', 'OUTCOME', 'SLOT', 'TOKEN', 'EXIT', 'TIME', 'REASON']];
  for (const p of report.patrols) {
    rows.push([
      p.id,
      p.outcome,
      p.slot ?? '-',
      p.fencingToken === null ? '-' : `#${p.fencingToken}`,
      p.exitCode === null ? '-' : String(p.exitCode),
      p.durationMs === null ? '-' : `${p.durationMs} ms`,
      p.reason,
    ]);
  }
  const outputs = report.patrols
    .filter((p) => p.output !== undefined && p.output !== '')
    .map(
      (p) =>
        `--- ${p.id} ${p.slot ?? ''} output${p.outputTruncated ? ' (tail)' : ''} ---\n${p.output?.trimEnd()}`,
    );
  return [header, '', table(rows), ...(outputs.length > 0 ? ['', ...outputs] : [])].join('\n');
}
