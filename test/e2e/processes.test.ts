import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../support/cli-bundle.js';

const run = promisify(execFile);

/** How many times the 20-process race is repeated (CI sets more). */
const RACE_ROUNDS = Number(process.env.CRONWARDEN_RACE_ROUNDS ?? 2);

let cliPath = '';
let root = '';

beforeAll(async () => {
  cliPath = await bundleCli();
  root = await mkdtemp(join(tmpdir(), 'cronwarden-e2e-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Tick {
  code: number;
  report: { patrols: { id: string; outcome: string; fencingToken: number | null }[] };
  stderr: string;
}

/** A workspace with a table and a bare ledger repository, under `root`. */
async function workspace(name: string, patrols: string): Promise<string> {
  const dir = join(root, name);
  await run('mkdir', ['-p', dir]);
  await writeFile(join(dir, 'table.yml'), `id: e2e\npatrols:\n${patrols}`);
  return dir;
}

function tickArgs(dir: string, now: string, extra: string[] = []): string[] {
  return [
    cliPath,
    'tick',
    '--config',
    join(dir, 'table.yml'),
    '--store',
    `git:${join(dir, 'ledger.git')}`,
    '--now',
    now,
    '--json',
    ...extra,
  ];
}

async function tick(dir: string, now: string, extra: string[] = []): Promise<Tick> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, tickArgs(dir, now, extra), { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ code: code ?? -1, report: JSON.parse(stdout) as Tick['report'], stderr });
      } catch {
        reject(new Error(`tick printed no JSON (exit ${code}): ${stdout}\n${stderr}`));
      }
    });
  });
}

async function lines(path: string): Promise<string[]> {
  if (!existsSync(path)) return [];
  return (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
}

/** Wait until `path` exists with something written in it. */
async function waitFor(path: string): Promise<string> {
  for (let i = 0; i < 1000; i++) {
    const text = existsSync(path) ? await readFile(path, 'utf8') : '';
    if (text.trim() !== '') return text;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${path} never got any content`);
}

/** Running, as opposed to gone or a zombie waiting for a parent that may never reap it. */
async function running(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

const appendPatrol = (log: string) => `  - id: hourly
    schedule: "0 * * * *"
    run: echo "$CRONWARDEN_SLOT $CRONWARDEN_FENCING_TOKEN" >> "${log}"
    timeout: 1m
`;

describe('cronwarden tick as real processes on a real git ledger', () => {
  it.each(Array.from({ length: RACE_ROUNDS }, (_, i) => i + 1))(
    'runs a slot exactly once when 20 ticks start at once (round %i)',
    async (round) => {
      const dir = await workspace(`race-${round}`, appendPatrol('ran.log'));
      await tick(dir, '2026-05-01T09:30:00Z');

      const ticks = await Promise.all(
        Array.from({ length: 20 }, () => tick(dir, '2026-05-01T10:00:05Z')),
      );
      const outcomes = ticks.map((t) => t.report.patrols[0]?.outcome);
      expect(outcomes.filter((o) => o === 'ran')).toHaveLength(1);
      expect(outcomes.every((o) => o === 'ran' || o === 'duplicate' || o === 'skipped')).toBe(true);
      expect(await lines(join(dir, 'ran.log'))).toEqual(['2026-05-01T10:00:00.000Z 1']);
    },
  );

  it('runs nothing when the same tick runs twice at the same instant', async () => {
    const dir = await workspace('twice', appendPatrol('ran.log'));
    await tick(dir, '2026-05-01T09:30:00Z');
    const first = await tick(dir, '2026-05-01T10:00:05Z');
    const second = await tick(dir, '2026-05-01T10:00:05Z');
    expect(first.report.patrols).toMatchObject([{ outcome: 'ran' }]);
    expect(second.report.patrols).toMatchObject([{ outcome: 'duplicate' }]);
    expect(await lines(join(dir, 'ran.log'))).toHaveLength(1);
  });

  it('skips, not queues, the next slot of a forbid patrol that is still running', async () => {
    const dir = await workspace(
      'forbid',
      `  - id: hourly
    schedule: "0 * * * *"
    run: echo yes > started; while [ ! -e finish ]; do sleep 0.05; done; echo "$CRONWARDEN_SLOT" >> ran.log
    timeout: 1h
`,
    );
    await tick(dir, '2026-05-01T09:30:00Z');
    const long = tick(dir, '2026-05-01T10:00:05Z');
    await waitFor(join(dir, 'started'));

    const next = await tick(dir, '2026-05-01T11:00:05Z');
    expect(next.report.patrols).toMatchObject([{ outcome: 'skipped', fencingToken: 1 }]);
    await writeFile(join(dir, 'finish'), '');
    expect((await long).report.patrols).toMatchObject([{ outcome: 'ran' }]);

    const later = await tick(dir, '2026-05-01T11:20:00Z');
    expect(later.report.patrols).toMatchObject([{ outcome: 'idle' }]);
    expect(await lines(join(dir, 'ran.log'))).toEqual(['2026-05-01T10:00:00.000Z']);
  });

  it('takes over the lease of a tick killed with SIGKILL, and the fencing token grows', async () => {
    const dir = await workspace(
      'killed',
      `  - id: hourly
    schedule: "0 * * * *"
    run: echo $$ > patrol.pid; echo "$CRONWARDEN_FENCING_TOKEN" >> ran.log; [ "$CRONWARDEN_FENCING_TOKEN" != 1 ] || sleep 60
    timeout: 2m
`,
    );
    await tick(dir, '2026-05-01T09:30:00Z');
    const victim = spawn(process.execPath, tickArgs(dir, '2026-05-01T10:00:05Z'), { cwd: dir });
    const orphan = Number(await waitFor(join(dir, 'patrol.pid')));
    expect(orphan).toBeGreaterThan(1);
    victim.kill('SIGKILL');
    await new Promise((resolve) => victim.on('close', resolve));
    process.kill(-orphan, 'SIGKILL'); // its patrol outlives a SIGKILLed tick: end it here

    // The lease (2 min timeout + 1 min margin) has expired, plus the grace period.
    const after = await tick(dir, '2026-05-01T11:00:05Z');
    expect(after.report.patrols).toMatchObject([
      { outcome: 'ran', fencingToken: 2, takeover: { fencingToken: 1 } },
    ]);

    const history = await run(process.execPath, [
      cliPath,
      'history',
      '--config',
      join(dir, 'table.yml'),
      '--store',
      `git:${join(dir, 'ledger.git')}`,
      '--json',
    ]);
    const events = (
      JSON.parse(history.stdout) as {
        entries: {
          events: { type: string; takeover?: { reason: string; fencingToken: number } }[];
        }[];
      }
    ).entries.flatMap((e) => e.events);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'granted',
        fencingToken: 2,
        takeover: expect.objectContaining({ fencingToken: 1 }),
      }),
    );
    expect(await lines(join(dir, 'ran.log'))).toEqual(['1', '2']);
  });

  it('kills a patrol that exceeds its timeout, with its children', async () => {
    const dir = await workspace(
      'timeout',
      `  - id: slow
    schedule: "0 * * * *"
    run: sleep 300 & echo $! > child.pid; sleep 300
    timeout: 1s
`,
    );
    const result = await tick(dir, '2026-05-01T10:00:05Z', ['--patrol', 'slow', '--force']);
    expect(result.code).toBe(3);
    expect(result.report.patrols).toMatchObject([{ id: 'slow', outcome: 'timed-out' }]);
    const child = Number(await readFile(join(dir, 'child.pid'), 'utf8'));
    expect(child).toBeGreaterThan(1);
    expect(await running(child)).toBe(false);
  });

  it('refuses a ledger written by a newer protocol, writing nothing', async () => {
    const dir = await workspace('newer', appendPatrol('ran.log'));
    await tick(dir, '2026-05-01T09:30:00Z');
    const git = (...args: string[]) => run('git', ['-C', join(dir, 'ledger.git'), ...args]);
    const tree = (await git('hash-object', '-t', 'tree', '/dev/null')).stdout.trim();
    const message =
      'cronwarden: from the future\n\n{"protocol":99,"table":"e2e","state":{"patrols":{}},"events":[]}\n';
    const future = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        'git',
        [
          '-C',
          join(dir, 'ledger.git'),
          '-c',
          'user.name=x',
          '-c',
          'user.email=x@x',
          'commit-tree',
          tree,
          '-F',
          '-',
        ],
        (error, stdout) => (error ? reject(error) : resolve(stdout.trim())),
      );
      child.stdin?.end(message);
    });
    await git('update-ref', 'refs/cronwarden/e2e', future);

    const refused = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, tickArgs(dir, '2026-05-01T10:00:05Z'), { cwd: dir });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('protocol 99');
    expect((await git('rev-parse', 'refs/cronwarden/e2e')).stdout.trim()).toBe(future);
    expect(await lines(join(dir, 'ran.log'))).toEqual([]);
  });

  it('does not take over while a SIGKILLed tick leaves its forbid patrol running', async () => {
    const dir = await workspace(
      'orphan',
      `  - id: hourly
    schedule: "0 * * * *"
    run: echo $$ > "patrol-$CRONWARDEN_FENCING_TOKEN.pid"; echo "start $CRONWARDEN_FENCING_TOKEN" >> ran.log; sleep 60
    timeout: 1m
`,
    );
    await tick(dir, '2026-05-01T09:30:00Z');
    const victim = spawn(process.execPath, tickArgs(dir, '2026-05-01T10:00:05Z'), { cwd: dir });
    const orphan = Number(await waitFor(join(dir, 'patrol-1.pid')));
    victim.kill('SIGKILL');
    await new Promise((resolve) => victim.on('close', resolve));

    // Hours later by the ledger's clock the lease has long expired, but its patrol still runs.
    const blocked = await tick(dir, '2026-05-01T12:00:05Z');
    expect(blocked.report.patrols.at(-1)).toMatchObject({ outcome: 'skipped', fencingToken: 1 });
    expect(await lines(join(dir, 'ran.log'))).toEqual(['start 1']);

    process.kill(-orphan, 'SIGKILL');
    for (let i = 0; i < 100 && (await running(orphan)); i++)
      await new Promise((r) => setTimeout(r, 20));
    const freed = spawn(process.execPath, tickArgs(dir, '2026-05-01T13:00:05Z'), { cwd: dir });
    const next = Number(await waitFor(join(dir, 'patrol-2.pid')));
    process.kill(-next, 'SIGKILL');
    await new Promise((resolve) => freed.on('close', resolve));
    expect(await lines(join(dir, 'ran.log'))).toEqual(['start 1', 'start 2']);
  });

  it('stops its patrol, records it cancelled and frees the lease on SIGTERM', async () => {
    const dir = await workspace(
      'sigterm',
      `  - id: hourly
    schedule: "0 * * * *"
    run: echo $$ > patrol.pid; sleep 60
    timeout: 1h
`,
    );
    await tick(dir, '2026-05-01T09:30:00Z');
    const ticking = tick(dir, '2026-05-01T10:00:05Z');
    const patrolPid = Number(await waitFor(join(dir, 'patrol.pid')));
    const tickPid = await tickPidOf(patrolPid);
    process.kill(tickPid, 'SIGTERM');
    const stopped = await ticking;

    expect(stopped.code).toBe(143);
    expect(stopped.report.patrols).toMatchObject([{ outcome: 'cancelled' }]);
    expect(await running(patrolPid)).toBe(false);
    const after = await tick(dir, '2026-05-01T11:00:05Z', ['--dry-run']);
    expect(after.report.patrols).toMatchObject([{ outcome: 'planned', fencingToken: 2 }]);
  });

  it('ends the replaced run before the replacing one starts', async () => {
    const dir = await workspace(
      'replace',
      `  - id: hourly
    schedule: "0 * * * *"
    concurrency: replace
    run: trap 'echo "end $CRONWARDEN_FENCING_TOKEN" >> ran.log; exit 1' TERM; echo "start $CRONWARDEN_FENCING_TOKEN" >> ran.log; sleep 30 & wait
    timeout: 1h
`,
    );
    await tick(dir, '2026-05-01T09:30:00Z');
    const old = tick(dir, '2026-05-01T10:00:05Z');
    await waitFor(join(dir, 'ran.log'));
    const replacing = tick(dir, '2026-05-01T11:00:05Z');
    for (let i = 0; i < 500 && (await lines(join(dir, 'ran.log'))).length < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await lines(join(dir, 'ran.log'))).slice(0, 3)).toEqual([
      'start 1',
      'end 1',
      'start 2',
    ]);
    expect((await old).report.patrols[0]?.outcome).toMatch(/lost-lease|failed/);
    await run('pkill', ['-f', 'sleep 30']).catch(() => undefined);
    await replacing;
  });
});

/** The parent of a patrol's shell is the tick that started it. */
async function tickPidOf(patrolPid: number): Promise<number> {
  const stat = await readFile(`/proc/${patrolPid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[1]);
}
