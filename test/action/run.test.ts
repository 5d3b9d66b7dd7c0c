import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { ActionKit, Annotation } from '../../src/action/kit.js';
import type { ReportedTick } from '../../src/action/report-seam.js';
import { run, type ActionFactories } from '../../src/action/run.js';
import { createClient } from '../../src/github/client.js';
import { shellPatrolRunner } from '../../src/run/patrol-runner.js';
import type { Emulator } from '../support/emulator/index.js';
import { oneTable, removeWorkspace, REPO, startWorld, TOKEN, workspace } from './support.js';

/** Everything the Action said to the runner, in order. */
type Said = [string, ...unknown[]];

function fakeKit(said: Said[]): ActionKit {
  return {
    info: (m) => said.push(['info', m]),
    debug: () => undefined,
    warning: (m: string, at?: Annotation) => said.push(['warning', m, at]),
    error: (m: string, at?: Annotation) => said.push(['error', m, at]),
    startGroup: (name) => said.push(['group', name]),
    endGroup: () => said.push(['endgroup']),
    setOutput: (name, value) => said.push(['output', name, value]),
    saveState: (name, value) => said.push(['state', name, value]),
    setSecret: (value) => said.push(['secret', value]),
    writeSummary: async (markdown) => void said.push(['summary', markdown]),
    setFailed: (message) => said.push(['failed', message]),
    quote: (text) => said.push(['quote', text]),
  };
}

let emu: Emulator;
let ws: string;
let said: Said[];
let clients: number;

function factories(extra: Partial<ActionFactories> = {}): ActionFactories {
  return {
    kit: fakeKit(said),
    client: (options) => {
      clients += 1;
      return createClient(options);
    },
    runner: shellPatrolRunner,
    cwd: ws,
    ...extra,
  };
}

function jobEnv(inputs: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GITHUB_API_URL: emu.url,
    GITHUB_REPOSITORY: REPO,
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'tick',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_WORKSPACE: ws,
    INPUT_TOKEN: TOKEN,
    INPUT_PATROL: 'sweep',
    INPUT_FORCE: 'true',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
}

function kinds(kind: string): unknown[][] {
  return said.filter((s) => s[0] === kind).map((s) => s.slice(1));
}

beforeEach(async () => {
  emu = await startWorld();
  said = [];
  clients = 0;
});

afterEach(async () => {
  await emu.close();
  await removeWorkspace(ws);
});

describe('run', () => {
  it('logs each phase in its own group, masks the token, and sets every output', async () => {
    ws = await workspace(oneTable('echo swept'));

    const result = await run(jobEnv(), factories());

    expect(result.failure).toBeNull();
    expect(kinds('secret')).toEqual([[TOKEN]]);
    expect(kinds('group').map(([name]) => name)).toEqual([
      'Load the patrol table',
      'Claim due slots in the ledger',
      'Run the patrols',
      'Release the leases',
      'Report',
    ]);
    expect(kinds('endgroup')).toHaveLength(5);
    expect(kinds('quote')).toEqual([['swept\n']]);
    expect(kinds('output').map(([name]) => name)).toEqual([
      'fired',
      'skipped',
      'missed',
      'fencing-tokens',
      'report',
    ]);
    expect(kinds('state').map(([name]) => name)).toEqual(['ledger', 'nonces', 'released']);
  }, 30_000);

  it('fails after releasing and reporting when a patrol fails, naming it', async () => {
    ws = await workspace(oneTable('exit 3'));

    const result = await run(jobEnv(), factories());

    expect(result.failure).toBe('A patrol did not succeed: sweep failed (exited with 3).');
    const order = said.map((s) => s[0]);
    expect(order.indexOf('failed')).toBeGreaterThan(order.lastIndexOf('summary'));
    expect(kinds('state').at(-1)).toEqual(['released', 'true']);
  }, 30_000);

  it('hands the tick to the reporter, and only warns when reporting fails', async () => {
    ws = await workspace(oneTable('true'));
    const reported: ReportedTick[] = [];

    const result = await run(
      jobEnv(),
      factories({
        reporter: async (tick) => {
          reported.push(tick);
          throw new Error('issues are down');
        },
      }),
    );

    expect(result.failure).toBeNull();
    expect(reported.map((r) => [r.repository, r.report.patrols[0]?.outcome])).toEqual([
      [REPO, 'ran'],
    ]);
    // What the tick wrote, seen on the way: no request of the report's own for it.
    expect(reported[0]?.events.map((e) => e.type)).toEqual([
      'created',
      'first-seen',
      'claimed',
      'granted',
      'released',
    ]);
    expect(reported[0]?.ledger?.state.patrols.sweep?.lastRun?.outcome).toBe('ran');
    expect(reported[0]?.ledger?.state.patrols.sweep?.lease).toBeNull();
    expect(kinds('warning')).toContainEqual([
      'The issue report failed: issues are down',
      undefined,
    ]);
  }, 30_000);

  it('does not report with report: false, nor on a dry run', async () => {
    ws = await workspace(oneTable('true'));
    const reported: ReportedTick[] = [];
    const reporter = async (tick: ReportedTick) => {
      reported.push(tick);
      return { written: [], failures: [] };
    };

    await run(jobEnv({ report: 'false' }), factories({ reporter }));
    await run(jobEnv({ 'dry-run': 'true' }), factories({ reporter }));

    expect(reported).toEqual([]);
  }, 30_000);

  it('refuses a bad input before it talks to GitHub', async () => {
    ws = await workspace(oneTable('true'));

    const result = await run(jobEnv({ 'max-parallel': 'many' }), factories());

    expect(result.failure).toBe(
      'Input "max-parallel" must be a whole number from 1 to 64, not "many".',
    );
    expect(kinds('failed')).toEqual([[result.failure]]);
    expect(clients).toBe(0);
  });

  it('says it needs GitHub Actions when the runner variables are missing', async () => {
    ws = await workspace(oneTable('true'));
    const env = jobEnv();
    delete env.GITHUB_RUN_ID;

    const result = await run(env, factories());

    expect(result.failure).toMatch(/^GITHUB_RUN_ID is not set: Cronwarden's Action runs as a step/);
  });

  it('names a patrol the table does not have', async () => {
    ws = await workspace(oneTable('true'));

    const result = await run(jobEnv({ patrol: 'sweeep' }), factories());

    expect(result.failure).toBe(
      'patrol "sweeep" is not in .github/cronwarden.yml (patrols: sweep)',
    );
  });

  it('turns anything unexpected into one clear failure', async () => {
    ws = await workspace(oneTable('true'));

    const result = await run(
      jobEnv(),
      factories({
        client: () => {
          throw new TypeError('socket exploded');
        },
      }),
    );

    expect(result.failure).toBe('Cronwarden stopped unexpectedly: socket exploded');
    expect(kinds('summary')[0]?.[0]).toContain('socket exploded');
  });

  it('annotates a missing table and says to check out the repository', async () => {
    ws = await workspace(oneTable('true'));

    const result = await run(jobEnv({ config: 'ops/missing.yml' }), factories());

    expect(kinds('error')).toEqual([
      ['file not found', { file: 'ops/missing.yml', title: 'Cronwarden patrol table' }],
    ]);
    expect(result.failure).toContain('actions/checkout');
    expect(clients).toBe(0);
  });
});
