import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Emulator } from '../support/emulator/index.js';
import {
  ledger,
  linesOf,
  oneTable,
  removeWorkspace,
  REPO,
  runStep,
  startStep,
  startWorld,
  workspace,
  writes,
} from './support.js';

/** Each run of the patrol appends a line to runs.log in the workspace. */
const COUNTING_PATROL = 'echo "$CRONWARDEN_SLOT #$CRONWARDEN_FENCING_TOKEN" >> runs.log';

/** 12:05 is a slot of `*\/5 * * * *`; the ticks of these tests come half a minute late. */
const AFTER_SLOT = new Date('2025-03-03T12:05:30Z');

let emu: Emulator;
let ws: string;

beforeEach(async () => {
  emu = await startWorld();
  ws = await workspace(oneTable(COUNTING_PATROL));
});

afterEach(async () => {
  await emu.close();
  await removeWorkspace(ws);
});

/** A first tick: creates the ledger and records the patrol's cursor, runs nothing. */
async function createLedger(): Promise<void> {
  const first = await runStep(emu, ws, { runId: 1 });
  expect(first.code).toBe(0);
  expect(first.outputs.fired).toBe('[]');
  emu.clearLog();
}

describe('the Action ticking against the GitHub emulator', () => {
  it('creates the ledger on the first tick, runs each slot once, and ignores a doubled tick', async () => {
    const forced = await runStep(emu, ws, {
      runId: 100,
      inputs: { patrol: 'sweep', force: 'true' },
    });
    expect(forced.code).toBe(0);
    expect(forced.outputs.fired).toBe('["sweep"]');
    expect(forced.outputs['fencing-tokens']).toBe('{"sweep":1}');
    expect(Object.keys(emu.refs(REPO, 'refs/cronwarden/'))).toEqual(['refs/cronwarden/ops']);

    emu.clock.set(AFTER_SLOT);
    const scheduled = await runStep(emu, ws, { runId: 101 });
    emu.clock.advance(20_000);
    const doubled = await runStep(emu, ws, { runId: 102 });

    expect(scheduled.outputs.fired).toBe('["sweep"]');
    expect(doubled.code).toBe(0);
    expect(doubled.outputs.fired).toBe('[]');
    expect(doubled.outputs.skipped).toBe('["sweep"]');
    expect(JSON.parse(doubled.outputs.report ?? '{}').patrols[0].outcome).toBe('duplicate');
    expect(await linesOf(join(ws, 'runs.log'))).toEqual([
      '2025-03-03T12:01:00.000Z #1',
      '2025-03-03T12:05:00.000Z #2',
    ]);
    expect(ledger(emu).state.patrols.sweep?.lease).toBeNull();
  }, 60_000);

  it('fires a slot once when twenty ticks race for it', async () => {
    await createLedger();
    emu.clock.set(AFTER_SLOT);

    const steps = await Promise.all(
      Array.from({ length: 20 }, (_, i) => startStep(emu, ws, { runId: 200 + i })),
    );
    const results = await Promise.all(steps.map((step) => step.done));

    expect(results.map((r) => r.code)).toEqual(Array.from({ length: 20 }, () => 0));
    expect(results.filter((r) => r.outputs.fired === '["sweep"]')).toHaveLength(1);
    expect(results.filter((r) => r.outputs.skipped === '["sweep"]')).toHaveLength(19);
    expect(await linesOf(join(ws, 'runs.log'))).toEqual(['2025-03-03T12:05:00.000Z #1']);
    expect(ledger(emu).state.patrols.sweep?.fencingToken).toBe(1);
  }, 120_000);

  it('runs once and releases its lease when GitHub answers 502 after applying the claim', async () => {
    await createLedger();
    emu.clock.set(AFTER_SLOT);
    emu.faults.add({
      match: { method: 'PATCH', path: /\/git\/refs\// },
      kind: { type: 'error-after', status: 502 },
    });

    const tick = await runStep(emu, ws, { runId: 300 });

    expect(tick.code).toBe(0);
    expect(tick.outputs.fired).toBe('["sweep"]');
    expect(await linesOf(join(ws, 'runs.log'))).toHaveLength(1);
    expect(writes(emu).filter((w) => w.startsWith('PATCH'))).toEqual([
      'PATCH /repos/octo-org/patrols/git/refs/cronwarden/ops 502',
      'PATCH /repos/octo-org/patrols/git/refs/cronwarden/ops 200',
      'PATCH /repos/octo-org/patrols/git/refs/cronwarden/ops 200',
    ]);
    const state = ledger(emu).state.patrols.sweep;
    expect(state?.lease).toBeNull();
    expect(state?.recentRuns.map((r) => r.outcome)).toEqual(['ran']);

    const next = await runStep(emu, ws, { runId: 301 });
    expect(next.outputs.fired).toBe('[]');
  }, 60_000);

  it.each([
    {
      limit: 'a secondary limit with retry-after',
      status: 429 as const,
      retryAfter: 1,
      env: {} as Record<string, string>,
    },
    {
      limit: 'a secondary limit without retry-after',
      status: 403 as const,
      retryAfter: undefined,
      env: { CRONWARDEN_SECONDARY_WAIT_SECONDS: '1' },
    },
  ])(
    'waits out $limit and completes the tick',
    async ({ status, retryAfter, env }) => {
      await createLedger();
      emu.clock.set(AFTER_SLOT);
      emu.faults.add({
        match: { method: 'POST', path: `/repos/${REPO}/git/commits` },
        kind: {
          type: 'secondary-limit',
          status,
          ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
        },
      });

      const tick = await runStep(emu, ws, { runId: 400, env });

      expect(tick.code).toBe(0);
      expect(tick.stdout).toContain('secondary rate limit');
      expect(tick.outputs.fired).toBe('["sweep"]');
      expect(writes(emu)[0]).toBe(`POST /repos/${REPO}/git/commits ${status}`);
      expect(ledger(emu).state.patrols.sweep?.lease).toBeNull();
    },
    60_000,
  );

  it('reports a failing patrol on the bot’s issues and fails the step naming it', async () => {
    const failing = await workspace(oneTable('echo broken; exit 3'));
    try {
      const tick = await runStep(emu, failing, {
        runId: 450,
        inputs: { patrol: 'sweep', force: 'true', report: 'true' },
      });

      expect(tick.code).toBe(1);
      expect(tick.stdout).toContain(
        '::error::A patrol did not succeed: sweep failed (exited with 3).',
      );
      expect(emu.issues(REPO).map((i) => [i.title, i.state])).toEqual([
        ['Patrol sweep is failing (ops)', 'open'],
        ['Cronwarden dashboard: ops', 'open'],
      ]);
      expect(tick.summary).toContain('**Issues**');
      expect(ledger(emu).state.patrols.sweep?.lease).toBeNull();
    } finally {
      await removeWorkspace(failing);
    }
  }, 60_000);

  it('only validates and plans on a pull_request event: nothing is written or run', async () => {
    const tick = await runStep(emu, ws, {
      runId: 500,
      event: 'pull_request',
      inputs: { patrol: 'sweep', force: 'true' },
    });

    expect(tick.code).toBe(0);
    expect(emu.log.length).toBeGreaterThan(0);
    expect(writes(emu)).toEqual([]);
    expect(existsSync(join(ws, 'runs.log'))).toBe(false);
    expect(tick.outputs.fired).toBe('[]');
    expect(tick.stdout).toContain('pull_request event');
    expect(tick.summary).toContain('Nothing was written to the ledger and no patrol ran.');
    expect(JSON.parse(tick.outputs.report ?? '{}').patrols[0].outcome).toBe('planned');
  }, 60_000);

  it('fails on an invalid table with an annotation at its line, before any request', async () => {
    const bad = await workspace(oneTable('true').replace("'*/5 * * * *'", "'61 * * * *'"));
    try {
      const tick = await runStep(emu, bad, { runId: 600 });

      expect(tick.code).toBe(1);
      expect(tick.stdout).toMatch(
        /::error title=Cronwarden patrol table,file=\.github\/cronwarden\.yml,line=4,col=\d+::/,
      );
      expect(tick.stdout).toContain('::error::The patrol table .github/cronwarden.yml is invalid');
      expect(emu.log).toEqual([]);
    } finally {
      await removeWorkspace(bad);
    }
  });

  it('fails naming the input when a boolean input is not true or false', async () => {
    const tick = await runStep(emu, ws, { runId: 601, inputs: { 'dry-run': 'yes' } });

    expect(tick.code).toBe(1);
    expect(tick.stdout).toContain('::error::Input "dry-run" must be true or false, not "yes".');
    expect(emu.log).toEqual([]);
  });

  it('never prints the token, and does not hand it to patrols', async () => {
    const nosy = await workspace(oneTable('echo "the patrol sees ${INPUT_TOKEN:-no token}"'));
    try {
      const tick = await runStep(emu, nosy, {
        runId: 602,
        inputs: { patrol: 'sweep', force: 'true' },
        env: { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' },
      });

      expect(tick.stdout).toContain('the patrol sees no token');
      const lines = `${tick.stdout}\n${tick.stderr}\n${tick.summary}`.split('\n');
      expect(lines.filter((l) => l.includes('ghs_') && !l.startsWith('::add-mask::'))).toEqual([]);
    } finally {
      await removeWorkspace(nosy);
    }
  }, 60_000);

  it('runs from the committed bundle as the runner does', async () => {
    const tick = await runStep(emu, ws, {
      runId: 700,
      entry: 'dist-main',
      inputs: { patrol: 'sweep', force: 'true' },
    });

    expect(tick.stderr).toBe('');
    expect(tick.code).toBe(0);
    expect(tick.outputs.fired).toBe('["sweep"]');
    expect(tick.summary).toContain('| `sweep` | ran |');
  }, 60_000);
});
