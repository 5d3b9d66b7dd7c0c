import { afterEach, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/run.js';
import { cli, workspace } from './support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function tableFile(text: string) {
  const ws = await workspace({ 'table.yml': text });
  cleanups.push(ws.cleanup);
  return { dir: ws.dir, path: `${ws.dir}/table.yml` };
}

describe('cronwarden next', () => {
  it('lists the Sunday slots across the Chicago spring-forward day', async () => {
    const result = await cli([
      'next',
      '--schedule',
      '0 8 * * 0',
      '--timezone',
      'America/Chicago',
      '--from',
      '2026-03-08T05:45:00Z',
      '--count',
      '2',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      schedule: '0 8 * * 0',
      timezone: 'America/Chicago',
      next: ['2026-03-08T13:00:00.000Z', '2026-03-15T13:00:00.000Z'],
    });
  });

  it('prints local and UTC times with the schedule in words', async () => {
    const result = await cli([
      'next',
      '--schedule',
      '30 2 * * *',
      '--timezone',
      'Europe/Berlin',
      '--from',
      '2026-03-28T12:00:00Z',
      '--count',
      '2',
    ]);
    expect(result.stdout).toContain('At 02:30 AM');
    expect(result.stdout).toContain('Sun 2026-03-29 03:00 CEST   2026-03-29 01:00 UTC');
  });

  it('refuses an expression that never fires, saying why', async () => {
    const result = await cli(['next', '--schedule', '0 0 31 4 *']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/never fires/i);
  });

  it('lists the slots of every patrol of a table', async () => {
    const { path } = await tableFile(
      'patrols:\n  - id: a\n    schedule: "0 6 * * *"\n    run: "true"\n',
    );
    const result = await cli([
      'next',
      '--config',
      path,
      '--from',
      '2026-01-01T00:00:00Z',
      '--count',
      '1',
      '--json',
    ]);
    expect(JSON.parse(result.stdout)).toEqual({
      patrols: [
        { id: 'a', schedule: '0 6 * * *', timezone: 'UTC', next: ['2026-01-01T06:00:00.000Z'] },
      ],
    });
  });
});

describe('cronwarden plan', () => {
  it('reports due, missed and next for a weekday schedule after a weekend', async () => {
    const { path } = await tableFile(
      'patrols:\n  - id: report\n    schedule: "30 6-16/4 * * 1-5"\n    run: "true"\n',
    );
    const result = await cli([
      'plan',
      '--config',
      path,
      '--since',
      '2023-06-16T14:30:00Z',
      '--now',
      '2023-06-19T11:00:00Z',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).patrols).toEqual([
      {
        id: 'report',
        enabled: true,
        due: ['2023-06-19T10:30:00.000Z'],
        missed: ['2023-06-19T06:30:00.000Z'],
        missedCount: 1,
        missedCountIsLowerBound: false,
        next: '2023-06-19T14:30:00.000Z',
      },
    ]);
  });

  it('needs both --since and --now', async () => {
    const result = await cli(['plan', '--since', '2023-06-16T14:30:00Z']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--since and --now');
  });

  it('names a malformed instant', async () => {
    const result = await cli(['plan', '--since', 'yesterday', '--now', '2023-06-19T11:00:00Z']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--since "yesterday" is not an ISO-8601 instant');
  });
});

describe('cronwarden validate', () => {
  it('refuses 31 April with a line:col message that says it never fires', async () => {
    const { path } = await tableFile(
      'patrols:\n  - id: never\n    schedule: "0 0 31 4 *"\n    run: "true"\n',
    );
    const result = await cli(['validate', '--config', path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^${path}:3:15: .*never fires`, 'm'));
  });

  it('prints one summary line for a valid table', async () => {
    const { path } = await tableFile(
      'id: nightly\npatrols:\n  - id: a\n    schedule: "0 6 * * *"\n    run: "true"\n',
    );
    const result = await cli(['validate', '--config', path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `${path}: valid, 1 patrol, table "nightly", ledger refs/cronwarden/nightly\n`,
    );
  });

  it('names the missing file', async () => {
    const result = await cli(['validate', '--config', '/nonexistent/table.yml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/nonexistent/table.yml');
  });
});

describe('the command line', () => {
  it.each(commands.map((c) => c.name))('%s has --help, exiting 0', async (name) => {
    const result = await cli([name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: cronwarden ${name}`);
  });

  it.each([
    [['frobnicate'], 'unknown command'],
    [['next', '--bogus'], "Unknown option '--bogus'"],
    [['validate', 'extra'], "Unexpected argument 'extra'"],
    [['unlock'], 'needs the patrol id'],
  ])('exits 2 on a usage error: %j', async (argv, message) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('cronwarden tick --report-dir', () => {
  it('writes the failure issue and the dashboard the bot would post', async () => {
    const { dir, path } = await tableFile(
      'id: local\npatrols:\n  - id: flaky\n    schedule: "0 * * * *"\n    run: echo broken; exit 2\n',
    );
    const argv = ['tick', '--config', path, '--store', `git:${dir}/ledger.git`, '--force'];
    const result = await cli([...argv, '--report-dir', 'reports'], dir);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('opened #1 (failure:local:flaky); opened #2 (dashboard:local)');
    const { readFile } = await import('node:fs/promises');
    const failure = await readFile(`${dir}/reports/issue-0001.md`, 'utf8');
    expect(failure).toContain('Patrol `flaky` is failing');
    expect(failure).toContain('broken');
  });
});
