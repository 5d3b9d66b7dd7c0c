import { access } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { encodeLedger } from '../../src/ledger/document.js';
import { PROTOCOL_VERSION, type LedgerDocument } from '../../src/ledger/types.js';
import { git } from '../store/git-helpers.js';
import { cli, workspace } from './support.js';

const AT = '2026-06-01T11:00:00.000Z';
const TABLE = 'id: local\npatrols:\n  - id: slow\n    schedule: "0 * * * *"\n    run: "true"\n';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function tableDir(): Promise<string> {
  const ws = await workspace({ 'table.yml': TABLE });
  cleanups.push(ws.cleanup);
  return ws.dir;
}

function ledger(): LedgerDocument {
  return {
    protocol: PROTOCOL_VERSION,
    table: 'local',
    writer: {
      tick: 't1',
      holder: { kind: 'process', host: 'box', pid: 1, startTime: 's' },
      version: 'test',
      at: AT,
    },
    state: {
      patrols: {
        slow: {
          cursor: AT,
          fencingToken: 0,
          lease: null,
          lastClaim: null,
          lastRun: null,
          recentRuns: [],
          revocations: [],
          skippedInARow: 0,
        },
      },
    },
    events: [{ type: 'created', at: AT }],
  };
}

/** A bare repository whose refs/cronwarden/local tip carries `message`. */
async function repositoryWith(dir: string, message: string): Promise<string> {
  const repository = path.join(dir, 'ledger.git');
  await git(dir, ['init', '--bare', '--quiet', repository]);
  const tree = (await git(repository, ['hash-object', '-t', 'tree', '-w', '--stdin'], '')).trim();
  const commit = (await git(repository, ['commit-tree', tree, '-F', '-'], message)).trim();
  await git(repository, ['update-ref', 'refs/cronwarden/local', commit]);
  return repository;
}

function withCursor(cursor: unknown): string {
  const doc = ledger() as unknown as { state: { patrols: { slow: Record<string, unknown> } } };
  doc.state.patrols.slow.cursor = cursor;
  return `cronwarden: update\n\n${JSON.stringify(doc)}\n`;
}

describe('a ledger that is not usable', () => {
  it.each(['ledger', 'history'])(
    '%s exits 4 naming the bad field, with no stack trace',
    async (command) => {
      const dir = await tableDir();
      const repository = await repositoryWith(dir, withCursor('garbage'));

      const result = await cli(
        [command, '--config', path.join(dir, 'table.yml'), '--store', `git:${repository}`],
        dir,
      );

      expect(result.code).toBe(4);
      expect(result.stderr).toContain('state.patrols.slow.cursor is not an ISO instant');
      expect(result.stderr).not.toContain('unexpected failure');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('a patrol state of null stops `ledger` with exit 4', async () => {
    const dir = await tableDir();
    const doc = ledger() as unknown as { state: { patrols: Record<string, unknown> } };
    doc.state.patrols.slow = null;
    const repository = await repositoryWith(dir, `cronwarden: x\n\n${JSON.stringify(doc)}\n`);

    const result = await cli(
      ['ledger', '--config', path.join(dir, 'table.yml'), '--store', `git:${repository}`],
      dir,
    );

    expect(result.code).toBe(4);
    expect(result.stderr).toContain('state.patrols.slow is not an object (null)');
  });

  it('a well-formed ledger is still shown', async () => {
    const dir = await tableDir();
    const repository = await repositoryWith(dir, encodeLedger(ledger()));

    const result = await cli(
      ['ledger', '--config', path.join(dir, 'table.yml'), '--store', `git:${repository}`],
      dir,
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('slow');
  });
});

describe('read-only commands and the store', () => {
  it.each(['ledger', 'history'])(
    '%s reports a mistyped git:PATH with exit 4 and creates nothing there',
    async (command) => {
      const dir = await tableDir();
      const typo = path.join(dir, 'ledgr.git');

      const result = await cli(
        [command, '--config', path.join(dir, 'table.yml'), '--store', `git:${typo}`],
        dir,
      );

      expect(result.code).toBe(4);
      expect(result.stderr).toContain(`no repository at ${typo}`);
      await expect(access(typo)).rejects.toThrow();
    },
  );

  it.each(['ledger', 'history', 'tick'])(
    '%s exits 2 on a store spec with an unknown scheme',
    async (command) => {
      const dir = await tableDir();

      const result = await cli(
        [command, '--config', path.join(dir, 'table.yml'), '--store', 'gti:ledger.git'],
        dir,
      );

      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Unknown store "gti:ledger.git"');
    },
  );
});

describe('cronwarden ledger --json', () => {
  it('prints what its help says it prints', async () => {
    const dir = await tableDir();
    const repository = await repositoryWith(dir, encodeLedger(ledger()));
    const argv = ['--config', path.join(dir, 'table.yml'), '--store', `git:${repository}`];

    const printed = JSON.parse((await cli(['ledger', ...argv, '--json'], dir)).stdout) as object;
    const help = (await cli(['ledger', '--help'])).stdout;

    expect(help).toContain(
      `{${Object.keys(printed)
        .map((key) => `"${key}"`)
        .join(',')}}`,
    );
    expect(help).not.toContain('as stored');
  });
});
