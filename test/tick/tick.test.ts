import { describe, expect, it } from 'vitest';
import { encodeLedger, NotALedgerError, ProtocolTooNewError } from '../../src/ledger/document.js';
import { PROTOCOL_VERSION } from '../../src/ledger/types.js';
import { MemoryStore } from '../../src/store/memory.js';
import { ledgerRef, readLedger } from '../../src/tick/ledger-io.js';
import { releaseReporter, runTick, TickInputError } from '../../src/tick/tick.js';
import type { TickOptions } from '../../src/tick/types.js';
import { patrol, processHolder, tableOf } from '../ledger/fixtures.js';
import { deps, FakeRunner } from './support.js';

const hourly = patrol({ id: 'hourly', timeoutMs: 3 * 3_600_000 });
const table = tableOf(hourly);
const ref = ledgerRef(table.id);

function at(iso: string, extra: Partial<TickOptions> = {}): TickOptions {
  return { now: new Date(iso), dryRun: false, force: false, configPath: 'test.yml', ...extra };
}

/** A store whose ledger already knows the table, with cursors at `iso`. */
async function started(iso: string): Promise<MemoryStore> {
  const store = new MemoryStore();
  await runTick(table, deps(store, new FakeRunner(), { id: 'setup' }), at(iso));
  return store;
}

describe('a tick', () => {
  it('runs the due patrol once, then a second tick at the same instant runs nothing', async () => {
    const store = await started('2026-05-01T09:30:00Z');
    const runner = new FakeRunner();
    const first = await runTick(
      table,
      deps(store, runner, { id: 't1' }),
      at('2026-05-01T10:00:05Z'),
    );
    const second = await runTick(
      table,
      deps(store, runner, { id: 't2' }),
      at('2026-05-01T10:00:05Z'),
    );

    expect(first.patrols).toMatchObject([{ id: 'hourly', outcome: 'ran', fencingToken: 1 }]);
    expect(second.patrols).toMatchObject([{ id: 'hourly', outcome: 'duplicate' }]);
    expect(runner.calls).toHaveLength(1);
    expect(runner.calls[0]?.context).toMatchObject({
      slot: '2026-05-01T10:00:00.000Z',
      fencingToken: 1,
    });
    expect(second.tick.writes).toBe(0);
  });

  it('releases the lease with the result recorded', async () => {
    const store = await started('2026-05-01T09:30:00Z');
    await runTick(table, deps(store, new FakeRunner()), at('2026-05-01T10:00:05Z'));
    const { document } = await readLedger(store, ref);
    expect(document?.state.patrols.hourly?.lease).toBeNull();
    expect(document?.state.patrols.hourly?.lastRun).toMatchObject({
      outcome: 'ran',
      exitCode: 0,
      fencingToken: 1,
    });
  });

  it('fires a slot exactly once when 20 ticks race for it', async () => {
    const store = await started('2026-05-01T09:30:00Z');
    const runner = new FakeRunner();
    const reports = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        runTick(
          table,
          deps(store, runner, { id: `race${i}`, pid: 1000 + i }),
          at('2026-05-01T10:00:05Z'),
        ),
      ),
    );
    const outcomes = reports.map((r) => r.patrols[0]?.outcome);
    expect(outcomes.filter((o) => o === 'ran')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'ran').every((o) => o === 'duplicate')).toBe(true);
    expect(runner.calls).toHaveLength(1);
  });

  it('skips, without queueing, a forbid slot whose previous run still holds the lease', async () => {
    const store = await started('2026-05-01T09:30:00Z');
    const runner = new FakeRunner();
    runner.hold('hourly');
    const long = runTick(table, deps(store, runner, { id: 't1' }), at('2026-05-01T10:00:05Z'));
    await runner.started('hourly');

    const next = await runTick(
      table,
      deps(store, runner, { id: 't2', pid: 200 }),
      at('2026-05-01T11:00:05Z'),
    );
    expect(next.patrols).toMatchObject([
      { outcome: 'skipped', slot: '2026-05-01T11:00:00.000Z', fencingToken: 1 },
    ]);
    runner.open('hourly');
    await long;

    const after = await runTick(
      table,
      deps(store, runner, { id: 't3', pid: 300 }),
      at('2026-05-01T11:10:00Z'),
    );
    expect(after.patrols).toMatchObject([{ outcome: 'idle' }]);
    expect(runner.calls).toHaveLength(1);
  });

  it('stops a holder whose lease was taken over, records the overlap, and leaves the new lease alone', async () => {
    const replacing = patrol({ id: 'hourly', concurrency: 'replace', timeoutMs: 3 * 3_600_000 });
    const replaceTable = tableOf(replacing);
    const store = new MemoryStore();
    await runTick(
      replaceTable,
      deps(store, new FakeRunner(), { id: 'setup' }),
      at('2026-05-01T09:30:00Z'),
    );
    const oldRunner = new FakeRunner();
    oldRunner.hold('hourly');
    const old = runTick(
      replaceTable,
      deps(store, oldRunner, { id: 'old' }),
      at('2026-05-01T10:00:05Z'),
    );
    await oldRunner.started('hourly');

    const newRunner = new FakeRunner();
    newRunner.hold('hourly');
    const fresh = runTick(
      replaceTable,
      deps(store, newRunner, { id: 'new', pid: 200 }),
      at('2026-05-01T11:00:05Z'),
    );
    await newRunner.started('hourly');

    const oldReport = await old;
    expect(oldReport.patrols).toMatchObject([{ outcome: 'lost-lease', fencingToken: 1 }]);
    const { document } = await readLedger(store, ref);
    expect(document?.state.patrols.hourly?.lease).toMatchObject({ fencingToken: 2, tick: 'new' });

    newRunner.open('hourly');
    const newReport = await fresh;
    expect(newReport.patrols).toMatchObject([
      { outcome: 'ran', fencingToken: 2, takeover: { fencingToken: 1, reason: 'replaced' } },
    ]);
    const history: string[] = [];
    for await (const commit of store.history(ref))
      history.push(commit.message.split('\n')[0] ?? '');
    expect(history.some((line) => line.includes('overlap hourly #1'))).toBe(true);
  });

  it('takes over the lease of a holder that is gone, and the fencing token grows', async () => {
    const store = await started('2026-05-01T09:30:00Z');
    const crashed = new FakeRunner();
    crashed.hold('hourly');
    void runTick(
      table,
      deps(store, crashed, { id: 'crashed', pid: 111 }),
      at('2026-05-01T10:00:05Z'),
    );
    await crashed.started('hourly');

    const runner = new FakeRunner();
    const report = await runTick(
      table,
      deps(store, runner, {
        id: 't2',
        pid: 222,
        probe: (h) => (h.kind === 'process' && h.pid === 111 ? 'gone' : 'alive'),
      }),
      at('2026-05-01T11:00:05Z'),
    );
    expect(report.patrols).toMatchObject([
      { outcome: 'ran', fencingToken: 2, takeover: { fencingToken: 1, reason: 'holder-gone' } },
    ]);
    crashed.open('hourly');
  });

  it('refuses a ledger written by a newer protocol and writes nothing', async () => {
    const store = new MemoryStore();
    const newer = {
      protocol: PROTOCOL_VERSION + 1,
      table: 'test',
      writer: { tick: 'x', holder: processHolder(1), version: '9.0.0', at: '2026-05-01T00:00:00Z' },
      state: { patrols: {} },
      events: [],
    };
    await store.create(ref, encodeLedger(newer));
    const runner = new FakeRunner();
    await expect(
      runTick(table, deps(store, runner), at('2026-05-01T10:00:05Z', { force: true })),
    ).rejects.toThrow(ProtocolTooNewError);
    expect(store.writes()).toBe(1);
    expect(runner.calls).toEqual([]);
  });

  it('never overwrites a ref that is not a ledger', async () => {
    const store = new MemoryStore();
    await store.create(ref, 'Merge branch main\n\nsomething else');
    await expect(
      runTick(table, deps(store, new FakeRunner()), at('2026-05-01T10:00:05Z')),
    ).rejects.toThrow(NotALedgerError);
    expect(store.writes()).toBe(1);
  });

  it('shows the plan on a dry run and writes nothing', async () => {
    const store = await started('2026-05-01T09:30:00Z');
    const runner = new FakeRunner();
    const report = await runTick(
      table,
      deps(store, runner),
      at('2026-05-01T10:00:05Z', { dryRun: true }),
    );
    expect(report.patrols).toMatchObject([
      { outcome: 'planned', slot: '2026-05-01T10:00:00.000Z' },
    ]);
    expect(store.writes()).toBe(1);
    expect(runner.calls).toEqual([]);
  });

  it('names the patrols it knows when asked for one it does not', async () => {
    await expect(
      runTick(
        table,
        deps(new MemoryStore(), new FakeRunner()),
        at('2026-05-01T10:00:05Z', { patrol: 'nope' }),
      ),
    ).rejects.toThrow(new TickInputError('patrol "nope" is not in test.yml (patrols: hourly)'));
  });

  it('records a failing patrol as failed with its exit code', async () => {
    const store = await started('2026-05-01T09:30:00Z');
    const runner = new FakeRunner();
    runner.exitCode = 3;
    const report = await runTick(table, deps(store, runner), at('2026-05-01T10:00:05Z'));
    expect(report.patrols).toMatchObject([
      { outcome: 'failed', exitCode: 3, reason: 'exited with 3' },
    ]);
  });

  it('follows a successful run with afterRun while the lease is held, and reports its note', async () => {
    const store = await started('2026-05-01T09:30:00Z');
    const leasesSeen: (string | undefined)[] = [];
    const report = await runTick(
      table,
      {
        ...deps(store, new FakeRunner()),
        afterRun: async (p, context) => {
          const { document } = await readLedger(store, ref);
          leasesSeen.push(document?.state.patrols[p.id]?.lease?.slots[0]);
          return `followed up slot ${context.slot}`;
        },
      },
      at('2026-05-01T10:00:05Z'),
    );
    expect(leasesSeen).toEqual(['2026-05-01T10:00:00.000Z']);
    expect(report.patrols[0]?.reason).toBe('ran; followed up slot 2026-05-01T10:00:00.000Z');
  });

  it('runs patrols that propose pull requests one at a time', async () => {
    const pr = { branch: 'cronwarden/x', title: 't', body: '', labels: [], base: undefined };
    const a = patrol({ id: 'a', pullRequest: pr, timeoutMs: 60_000 });
    const b = patrol({
      id: 'b',
      pullRequest: { ...pr, branch: 'cronwarden/y' },
      timeoutMs: 60_000,
    });
    const both = tableOf(a, b);
    const store = new MemoryStore();
    await runTick(both, deps(store, new FakeRunner(), { id: 'setup' }), at('2026-05-01T09:30:00Z'));
    const runner = new FakeRunner();
    runner.hold('a');
    runner.hold('b');
    const ticking = runTick(both, deps(store, runner), at('2026-05-01T10:00:05Z'));
    await runner.started('a');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runner.calls.map((c) => c.patrol)).toEqual(['a']);
    runner.open('a');
    await runner.started('b');
    runner.open('b');
    expect((await ticking).patrols.map((p) => p.outcome)).toEqual(['ran', 'ran']);
  });

  it('records the results of patrols that finish together in one ledger write', async () => {
    const many = Array.from({ length: 20 }, (_, i) => patrol({ id: `p${i}`, timeoutMs: 60_000 }));
    const wide = tableOf(...many);
    const store = new MemoryStore();
    await runTick(wide, deps(store, new FakeRunner(), { id: 'setup' }), at('2026-05-01T09:30:00Z'));
    const before = store.writes();
    const report = await runTick(
      wide,
      { ...deps(store, new FakeRunner()), maxParallel: 20 },
      at('2026-05-01T10:00:05Z'),
    );
    expect(report.patrols.every((p) => p.outcome === 'ran')).toBe(true);
    expect(store.writes() - before).toBe(2); // the claim, and one release for all twenty
    const { document } = await readLedger(store, ref);
    expect(Object.values(document?.state.patrols ?? {}).every((p) => p.lease === null)).toBe(true);
  });

  it('lets one of two ticks that change the ledger report, and frees the reporter after', async () => {
    const store = await started('2026-05-01T09:30:00Z');
    const first = await runTick(
      table,
      deps(store, new FakeRunner(), { id: 'r1' }),
      at('2026-05-01T10:00:05Z', { report: true }),
    );
    const second = await runTick(
      table,
      deps(store, new FakeRunner(), { id: 'r2' }),
      at('2026-05-01T10:00:06Z', { report: true, force: true }),
    );
    expect(first.tick.reporting).toBe(true);
    expect(second.tick.reporting).toBe(false);

    expect(await releaseReporter(deps(store, new FakeRunner(), { id: 'r1' }), ref)).toBe(1);
    const third = await runTick(
      table,
      deps(store, new FakeRunner(), { id: 'r3' }),
      at('2026-05-01T10:00:07Z', { report: true, force: true }),
    );
    expect(third.tick.reporting).toBe(true);
  });
});
