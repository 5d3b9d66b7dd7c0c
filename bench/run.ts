/**
 * Request budgets of the Action, measured against the GitHub API emulator by counting the
 * requests in its log. Every tick runs in this process through `run(env, factories)` with
 * the real Octokit client over HTTP, each with its own token so that its requests can be
 * told apart. Prints a table and exits non-zero when a budget is not met.
 *
 *   npm run bench
 *
 * Issue reports are off: they are the report module's requests, not the tick's.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ActionKit } from '../src/action/kit.js';
import { run, type ActionFactories } from '../src/action/run.js';
import { createClient } from '../src/github/client.js';
import { shellPatrolRunner } from '../src/run/patrol-runner.js';
import type { PatrolRunner } from '../src/tick/types.js';
import { startEmulator, type Emulator } from '../test/support/emulator/index.js';

const REPO = 'bench-org/patrols';
const START = new Date('2025-03-03T12:01:00Z');
const AFTER_SLOT = new Date('2025-03-03T12:05:30Z');

interface Row {
  budget: string;
  measured: number;
  limit: number | null;
}

interface TickMeasure {
  requests: number;
  writes: number;
  /** Requests answered before the first patrol started; null when none started. */
  beforeStart: number | null;
  writesBeforeStart: number | null;
  fired: string[];
  failure: string | null;
}

let tokens = 0;

/** One tick with its own token; what it asked of the emulator, and when its patrols began. */
async function tick(
  emu: Emulator,
  workspace: string,
  inputs: Record<string, string> = {},
): Promise<TickMeasure> {
  const token = `ghs_bench_${++tokens}`;
  emu.addToken(token, {
    login: 'github-actions[bot]',
    type: 'Bot',
    permissions: { contents: 'write', actions: 'read', issues: 'write', metadata: 'read' },
  });
  const mine = () => emu.log.filter((e) => e.token === token);
  const isWrite = (e: { method: string; path: string }) =>
    e.method !== 'GET' && e.path !== '/graphql';
  let beforeStart: number | null = null;
  let writesBeforeStart: number | null = null;
  const factories: ActionFactories = {
    kit: quietKit(),
    client: createClient,
    runner: (options) => {
      const shell = shellPatrolRunner(options);
      const watched: PatrolRunner = {
        run(patrol, context, signal) {
          if (beforeStart === null) {
            beforeStart = mine().length;
            writesBeforeStart = mine().filter(isWrite).length;
          }
          return shell.run(patrol, context, signal);
        },
      };
      return watched;
    },
    cwd: workspace,
  };
  const env = {
    PATH: process.env.PATH,
    GITHUB_API_URL: emu.url,
    GITHUB_REPOSITORY: REPO,
    GITHUB_RUN_ID: String(1000 + tokens),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'tick',
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_WORKSPACE: workspace,
    INPUT_TOKEN: token,
    INPUT_REPORT: 'false',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  const result = await run(env, factories);
  const fired = result.report === null ? [] : firedIds(result.report.patrols);
  return {
    requests: mine().length,
    writes: mine().filter(isWrite).length,
    beforeStart,
    writesBeforeStart,
    fired,
    failure: result.failure,
  };
}

function firedIds(patrols: { id: string; outcome: string }[]): string[] {
  const ran = ['ran', 'failed', 'timed-out', 'lost-lease', 'error'];
  return [...new Set(patrols.filter((p) => ran.includes(p.outcome)).map((p) => p.id))];
}

function quietKit(): ActionKit {
  const nothing = () => undefined;
  return {
    info: nothing,
    debug: nothing,
    warning: nothing,
    error: nothing,
    startGroup: nothing,
    endGroup: nothing,
    setOutput: nothing,
    saveState: nothing,
    setSecret: nothing,
    setFailed: nothing,
    quote: nothing,
    writeSummary: async () => undefined,
  };
}

/** A workspace whose table has `count` patrols due every five minutes. */
async function workspaceWith(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cronwarden-bench-'));
  await mkdir(join(dir, '.github'));
  const patrols = Array.from({ length: count }, (_, i) =>
    [`  - id: p${i + 1}`, "    schedule: '*/5 * * * *'", '    run: "true"', '    timeout: 1m'].join(
      '\n',
    ),
  );
  await writeFile(
    join(dir, '.github/cronwarden.yml'),
    `id: bench\npatrols:\n${patrols.join('\n')}\n`,
  );
  return dir;
}

/** A fresh emulator whose ledger already knows the table's patrols (cursor before 12:05). */
async function preparedWorld(count: number): Promise<{ emu: Emulator; workspace: string }> {
  const emu = await startEmulator({ now: START });
  emu.addRepo(REPO);
  const workspace = await workspaceWith(count);
  const first = await tick(emu, workspace);
  if (first.failure !== null) throw new Error(`the first tick failed: ${first.failure}`);
  emu.clock.set(AFTER_SLOT);
  return { emu, workspace };
}

async function close(world: { emu: Emulator; workspace: string }): Promise<void> {
  await world.emu.close();
  await rm(world.workspace, { recursive: true, force: true });
}

function expectFired(measure: TickMeasure, count: number, what: string): void {
  if (measure.failure !== null || measure.fired.length !== count) {
    throw new Error(
      `${what}: fired ${measure.fired.length} of ${count}` +
        (measure.failure === null ? '' : ` (${measure.failure})`),
    );
  }
}

async function idleTick(rows: Row[]): Promise<void> {
  const world = await preparedWorld(1);
  // A minute after the first tick: no slot of '*/5 * * * *' has come since.
  world.emu.clock.set(new Date(START.getTime() + 60_000));
  const idle = await tick(world.emu, world.workspace);
  rows.push({ budget: 'idle tick: requests', measured: idle.requests, limit: 1 });
  await close(world);
}

async function firingTicks(rows: Row[]): Promise<number> {
  let uncontended = 0;
  for (const k of [1, 5, 20]) {
    const world = await preparedWorld(k);
    const firing = await tick(world.emu, world.workspace);
    expectFired(firing, k, `fire ${k}`);
    rows.push(
      {
        budget: `fire ${k}: claim write requests`,
        measured: firing.writesBeforeStart ?? -1,
        limit: 3,
      },
      {
        budget: `fire ${k}: round trips, claim to patrol start`,
        measured: firing.beforeStart ?? -1,
        limit: 3,
      },
      {
        budget: `fire ${k}: requests of the whole tick, releases included`,
        measured: firing.requests,
        limit: null,
      },
    );
    if (k === 1) uncontended = firing.beforeStart ?? 0;
    await close(world);
  }
  return uncontended;
}

async function race(rows: Row[], uncontendedClaim: number): Promise<void> {
  const world = await preparedWorld(1);
  const ticks = await Promise.all(
    Array.from({ length: 20 }, () => tick(world.emu, world.workspace)),
  );
  const failed = ticks.filter((t) => t.failure !== null);
  if (failed.length > 0)
    throw new Error(`race: ${failed.length} ticks failed: ${failed[0]?.failure}`);
  const winners = ticks.filter((t) => t.fired.length > 0);
  const losers = ticks.filter((t) => t.fired.length === 0);
  const worstLoser = Math.max(...losers.map((t) => t.requests));
  rows.push(
    { budget: '20 racing ticks: times the slot fired', measured: winners.length, limit: 1 },
    {
      budget: `20 racing ticks: worst loser's requests beyond an uncontended claim (${uncontendedClaim})`,
      measured: worstLoser - uncontendedClaim,
      limit: 2,
    },
  );
  await close(world);
}

/** Informational: the very first claim also writes the ledger's tree. */
async function newLedger(rows: Row[]): Promise<void> {
  const emu = await startEmulator({ now: START });
  emu.addRepo(REPO);
  const workspace = await workspaceWith(1);
  const first = await tick(emu, workspace, { patrol: 'p1', force: 'true' });
  expectFired(first, 1, 'new ledger');
  rows.push(
    {
      budget: 'new ledger (once): claim write requests',
      measured: first.writesBeforeStart ?? -1,
      limit: 3,
    },
    {
      budget: 'new ledger (once): round trips, claim to patrol start',
      measured: first.beforeStart ?? -1,
      limit: null,
    },
  );
  await close({ emu, workspace });
}

function print(rows: Row[]): boolean {
  const width = Math.max(...rows.map((r) => r.budget.length));
  const lines = [`${'budget'.padEnd(width)}  measured  limit  met`];
  let met = true;
  for (const row of rows) {
    const ok = row.limit === null || row.measured <= row.limit;
    met &&= ok;
    lines.push(
      `${row.budget.padEnd(width)}  ${String(row.measured).padStart(8)}  ` +
        `${(row.limit === null ? '-' : String(row.limit)).padStart(5)}  ${row.limit === null ? 'info' : ok ? 'yes' : 'NO'}`,
    );
  }
  console.log(lines.join('\n'));
  return met;
}

const rows: Row[] = [];
await idleTick(rows);
const uncontendedClaim = await firingTicks(rows);
await race(rows, uncontendedClaim);
await newLedger(rows);
if (!print(rows)) {
  console.error('\nA budget was not met.');
  process.exitCode = 1;
}
