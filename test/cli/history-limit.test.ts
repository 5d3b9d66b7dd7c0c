import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { encodeLedger } from '../../src/ledger/document.js';
import { PROTOCOL_VERSION, type LedgerDocument, type LedgerEvent } from '../../src/ledger/types.js';
import { git } from '../store/git-helpers.js';
import { cli, workspace } from './support.js';

const TABLE = `id: local
patrols:
  - id: rare
    schedule: "0 0 * * *"
    run: "true"
  - id: busy
    schedule: "*/10 * * * *"
    run: "true"
`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

function minute(n: number): string {
  return new Date(Date.UTC(2026, 5, 1, 0, n)).toISOString();
}

function ledgerWith(n: number, events: LedgerEvent[]): LedgerDocument {
  return {
    protocol: PROTOCOL_VERSION,
    table: 'local',
    writer: {
      tick: `t${n}`,
      holder: { kind: 'process', host: 'box', pid: 1, startTime: 's' },
      version: 'test',
      at: minute(n),
    },
    state: { patrols: {} },
    events,
  };
}

/**
 * A ledger whose oldest commit starts `rare` and whose next `busyCommits` commits claim
 * slots of `busy` only, oldest first.
 */
async function ledgerRepository(busyCommits: number) {
  const ws = await workspace({ 'table.yml': TABLE });
  cleanups.push(ws.cleanup);
  const repository = path.join(ws.dir, 'ledger.git');
  await git(ws.dir, ['init', '--bare', '--quiet', repository]);
  const tree = (await git(repository, ['hash-object', '-t', 'tree', '-w', '--stdin'], '')).trim();

  const docs = [ledgerWith(0, [{ type: 'first-seen', patrol: 'rare', cursor: minute(0) }])];
  for (let n = 1; n <= busyCommits; n++) {
    docs.push(
      ledgerWith(n, [{ type: 'claimed', patrol: 'busy', slots: [minute(n)], forced: false }]),
    );
  }
  let parent: string[] = [];
  for (const doc of docs) {
    const args = ['commit-tree', tree, ...parent, '-F', '-'];
    const commit = (await git(repository, args, encodeLedger(doc))).trim();
    parent = ['-p', commit];
  }
  await git(repository, ['update-ref', 'refs/cronwarden/local', parent[1] as string]);

  const base = ['--config', path.join(ws.dir, 'table.yml'), '--store', `git:${repository}`];
  return { dir: ws.dir, base };
}

async function entries(argv: string[], cwd: string) {
  const result = await cli(['history', ...argv, '--json'], cwd);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { entries: { tick: string }[] }).entries;
}

describe('cronwarden history --limit', () => {
  it('counts the entries shown for a patrol, reading past the commits of others', async () => {
    const { dir, base } = await ledgerRepository(5);

    const shown = await entries([...base, '--patrol', 'rare', '--limit', '2'], dir);

    expect(shown.map((entry) => entry.tick)).toEqual(['t0']);
  });

  it('stops at N entries of the patrol, newest first', async () => {
    const { dir, base } = await ledgerRepository(5);

    const shown = await entries([...base, '--patrol', 'busy', '--limit', '2'], dir);

    expect(shown.map((entry) => entry.tick)).toEqual(['t5', 't4']);
  });

  it('shows the newest N entries of every patrol without --patrol', async () => {
    const { dir, base } = await ledgerRepository(5);

    const shown = await entries([...base, '--limit', '3'], dir);

    expect(shown.map((entry) => entry.tick)).toEqual(['t5', 't4', 't3']);
  });

  it('prints the rare patrol in text too, not "no history"', async () => {
    const { dir, base } = await ledgerRepository(3);

    const result = await cli(['history', ...base, '--patrol', 'rare', '--limit', '1'], dir);

    expect(result.stdout).toContain('rare: first seen');
    expect(result.stdout).not.toContain('no history');
  });

  it('says in --help how far back it reads', async () => {
    const result = await cli(['history', '--help']);

    expect(result.stdout).toContain('At most 100,000 commits are read.');
  });
});
