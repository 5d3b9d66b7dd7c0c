import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LEASE_GRACE_MS } from '../../src/ledger/lease.js';
import type { Emulator } from '../support/emulator/index.js';
import {
  ledger,
  linesOf,
  oneTable,
  removeWorkspace,
  REPO,
  runStep,
  seedLease,
  startStep,
  startWorld,
  TABLE_ID,
  until,
  workspace,
  writes,
} from './support.js';

let emu: Emulator;
const workspaces: string[] = [];
/** Process groups of patrols left running by a killed step; killed after each test. */
const strays: number[] = [];

beforeEach(async () => {
  emu = await startWorld();
});

afterEach(async () => {
  for (const group of strays.splice(0)) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await emu.close();
  await Promise.all(workspaces.splice(0).map(removeWorkspace));
});

/** Make the workspace a checkout: a git repository with the table committed. */
async function commitWorkspace(ws: string): Promise<void> {
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
      cwd: ws,
      stdio: 'ignore',
    });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'the table');
}

async function newWorkspace(table: string): Promise<string> {
  const ws = await workspace(table);
  workspaces.push(ws);
  return ws;
}

describe('permissions', () => {
  it('fails the step naming "contents: write" when the token cannot write the ledger', async () => {
    emu.addToken('ghs_read_only', {
      login: 'github-actions[bot]',
      type: 'Bot',
      permissions: { contents: 'read', actions: 'read' },
    });
    const ws = await newWorkspace(oneTable('echo ran >> runs.log'));

    const tick = await runStep(emu, ws, {
      runId: 1,
      token: 'ghs_read_only',
      inputs: { patrol: 'sweep', force: 'true' },
    });

    expect(tick.code).toBe(1);
    expect(tick.stdout).toMatch(/^::error::.*permissions: contents: write/m);
    expect(emu.refs(REPO, 'refs/cronwarden/')).toEqual({});
    expect(await linesOf(join(ws, 'runs.log'))).toEqual([]);
  }, 60_000);
});

describe('leases held by other runs', () => {
  const table = oneTable('echo ran >> runs.log', { timeout: '10m' });

  it('only warns, naming "actions: read", when it cannot see whether the holder still runs', async () => {
    emu.addToken('ghs_no_actions', {
      login: 'github-actions[bot]',
      type: 'Bot',
      permissions: { contents: 'write' },
    });
    const ws = await newWorkspace(table);
    const held = seedLease(emu, table, 111);
    emu.addRun(REPO, { id: 111, status: 'completed', conclusion: 'failure' });
    emu.clock.set(new Date('2025-03-03T12:05:30Z'));

    const tick = await runStep(emu, ws, { runId: 112, token: 'ghs_no_actions' });

    expect(tick.code).toBe(0);
    expect(tick.stdout).toMatch(/^::warning::could not check run 111 .*actions: read/m);
    expect(tick.outputs.skipped).toBe('["sweep"]');
    expect(ledger(emu).state.patrols.sweep?.lease?.nonce).toBe(held.nonce);
  }, 60_000);

  it('takes over at once a lease whose holder run has completed', async () => {
    const ws = await newWorkspace(table);
    const held = seedLease(emu, table, 111);
    emu.addRun(REPO, { id: 111, status: 'completed', conclusion: 'cancelled' });
    emu.clock.set(new Date('2025-03-03T12:05:30Z'));

    const tick = await runStep(emu, ws, { runId: 112 });

    expect(tick.code).toBe(0);
    expect(tick.outputs.fired).toBe('["sweep"]');
    const state = ledger(emu).state.patrols.sweep;
    expect(state?.revocations.map((r) => [r.nonce, r.reason])).toEqual([
      [held.nonce, 'holder-gone'],
    ]);
    expect(state?.lease).toBeNull();
    expect(emu.log.some((e) => e.path === `/repos/${REPO}/actions/runs/111/attempts/1`)).toBe(true);
  }, 60_000);

  it('respects a live holder until its lease has expired, grace included', async () => {
    const ws = await newWorkspace(table);
    const held = seedLease(emu, table, 111);
    emu.addRun(REPO, { id: 111, status: 'in_progress' });

    emu.clock.set(new Date('2025-03-03T12:05:30Z'));
    const whileLive = await runStep(emu, ws, { runId: 112 });
    expect(whileLive.outputs.fired).toBe('[]');
    expect(whileLive.outputs.skipped).toBe('["sweep"]');
    expect(ledger(emu).state.patrols.sweep?.lease?.nonce).toBe(held.nonce);

    emu.clock.set(new Date(Date.parse(held.expiresAt) + LEASE_GRACE_MS + 30_000));
    const afterExpiry = await runStep(emu, ws, { runId: 113 });
    expect(afterExpiry.outputs.fired).toBe('["sweep"]');
    const state = ledger(emu).state.patrols.sweep;
    expect(state?.revocations.map((r) => [r.nonce, r.reason])).toEqual([[held.nonce, 'expired']]);
    expect(await linesOf(join(ws, 'runs.log'))).toEqual(['ran']);
  }, 60_000);
});

describe('the post step', () => {
  /** Two patrols that note their process group, say they started, then sleep. */
  const sleepers = [
    `id: ${TABLE_ID}`,
    'patrols:',
    ...['slow-a', 'slow-b'].flatMap((id) => [
      `  - id: ${id}`,
      "    schedule: '0 3 * * *'",
      '    run: echo $$ > "pid-$CRONWARDEN_PATROL"; sleep 60',
      '    timeout: 5m',
    ]),
    '',
  ].join('\n');

  async function startSleeper(ws: string, runId: number, patrol: string) {
    const step = await startStep(emu, ws, { runId, inputs: { patrol, force: 'true' } });
    await until(async () => (await linesOf(join(ws, `pid-${patrol}`))).length > 0, patrol);
    strays.push(Number((await linesOf(join(ws, `pid-${patrol}`)))[0]));
    return step;
  }

  it('releases exactly this job’s leases after its main step was killed', async () => {
    const ws = await newWorkspace(sleepers);
    const mine = await startSleeper(ws, 201, 'slow-a');
    const theirs = await startSleeper(ws, 202, 'slow-b');
    mine.process.kill('SIGKILL');
    theirs.process.kill('SIGKILL');
    const [killed] = await Promise.all([mine.done, theirs.done]);
    const saved = killed.state;
    expect(killed.signal).toBe('SIGKILL');
    const before = ledger(emu).state.patrols;
    const theirLease = before['slow-b']?.lease;
    expect(saved.released).toBeUndefined();
    expect(JSON.parse(saved.nonces ?? '[]')).toEqual([before['slow-a']?.lease?.nonce]);

    // Even told the other job's nonce, the post step releases only what this job holds.
    const nonces = JSON.stringify([...JSON.parse(saved.nonces ?? '[]'), theirLease?.nonce]);
    emu.clearLog();
    const post = await runStep(emu, ws, {
      runId: 201,
      entry: 'post',
      state: { ...saved, nonces },
    });

    expect(post.code).toBe(0);
    expect(post.stdout).toContain('slow-a: released lease #1');
    const after = ledger(emu).state.patrols;
    expect(after['slow-a']?.lease).toBeNull();
    expect(after['slow-a']?.lastRun).toMatchObject({ outcome: 'cancelled', exitCode: null });
    expect(after['slow-b']?.lease).toEqual(theirLease);
    expect(writes(emu).filter((w) => w.startsWith('PATCH'))).toHaveLength(1);
    // Its own patrol, which outlived the killed step, was ended first; theirs runs on.
    expect(await running(strays.at(-2) ?? 0)).toBe(false);
    expect(await running(strays.at(-1) ?? 0)).toBe(true);
  }, 90_000);

  it('does nothing when the main step released everything itself', async () => {
    const ws = await newWorkspace(oneTable('true'));
    const main = await runStep(emu, ws, { runId: 301, inputs: { patrol: 'sweep', force: 'true' } });
    expect(main.state.released).toBe('true');
    emu.clearLog();

    const post = await runStep(emu, ws, { runId: 301, entry: 'post', state: main.state });

    expect(post.code).toBe(0);
    expect(emu.log).toEqual([]);
  }, 60_000);

  it('is not needed after a cancelled main step: it stops its patrol and releases', async () => {
    const ws = await newWorkspace(sleepers);
    const main = await startSleeper(ws, 401, 'slow-a');

    main.process.kill('SIGTERM');
    const result = await main.done;

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('::error::The job was cancelled during the tick.');
    expect(result.state.released).toBe('true');
    const state = ledger(emu).state.patrols['slow-a'];
    expect(state?.lease).toBeNull();
    expect(state?.lastRun?.outcome).toBe('cancelled');
    expect(result.summary).toContain('stopped: the tick was cancelled');
  }, 60_000);
});

describe('patrols that propose pull requests', () => {
  /** `broken` runs first, leaves a file behind and fails; `refresh` then succeeds. */
  const table = [
    `id: ${TABLE_ID}`,
    'patrols:',
    ...[
      ['broken', 'echo junk > junk.txt; exit 1', 'Never proposed'],
      ['refresh', 'echo "refreshed for $CRONWARDEN_SLOT" > data.txt', 'Refresh the data'],
    ].flatMap(([id, run, title]) => [
      `  - id: ${id}`,
      "    schedule: '0 3 * * *'",
      `    run: ${JSON.stringify(run)}`,
      '    timeout: 1m',
      '    pull-request:',
      `      branch: cronwarden/${id}`,
      `      title: ${title}`,
    ]),
    '',
  ].join('\n');

  it('puts back what a failed proposing run left, even when no patrol runs after it', async () => {
    const ws = await newWorkspace(table.replace(/\n {2}- id: refresh[\s\S]*$/, '\n'));
    await commitWorkspace(ws);

    const tick = await runStep(emu, ws, { runId: 502, inputs: { force: 'true' } });

    expect(tick.code).toBe(1);
    expect(emu.pulls(REPO)).toEqual([]);
    expect(existsSync(join(ws, 'junk.txt'))).toBe(false);
  }, 60_000);

  it('proposes the files a run changed, and only those, then puts the workspace back', async () => {
    const ws = await newWorkspace(table);
    await commitWorkspace(ws);
    await writeFile(join(ws, 'notes.txt'), 'written by an earlier step\n');

    const tick = await runStep(emu, ws, { runId: 501, inputs: { force: 'true' } });

    expect(tick.code).toBe(1);
    expect(tick.stdout).toContain('::error::A patrol did not succeed: broken failed');
    expect(emu.pulls(REPO).map((p) => [p.title, p.head, p.state])).toEqual([
      ['Refresh the data', 'octo-org:cronwarden/refresh', 'open'],
    ]);
    const proposed = emu.files(REPO, 'refs/heads/cronwarden/refresh') ?? {};
    expect(proposed['data.txt']).toBe('refreshed for 2025-03-03T12:01:00.000Z\n');
    expect(proposed['notes.txt']).toBeUndefined();
    expect(proposed['junk.txt']).toBeUndefined();
    const refresh = JSON.parse(tick.outputs.report ?? '{}').patrols[1];
    expect(refresh.reason).toMatch(/; opened pull request #\d+ \(1 file\(s\)\)$/);
    expect(existsSync(join(ws, 'data.txt'))).toBe(false);
    expect(existsSync(join(ws, 'junk.txt'))).toBe(false);
    expect(existsSync(join(ws, 'notes.txt'))).toBe(true);
  }, 60_000);
});

/** Running, as opposed to gone or a zombie nobody reaped. */
async function running(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}
