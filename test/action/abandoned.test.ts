import { describe, expect, it } from 'vitest';

import { releaseAbandoned } from '../../src/action/abandoned.js';
import { planTick, type TickIdentity } from '../../src/ledger/plan.js';
import type { ActionsHolder, LedgerDocument } from '../../src/ledger/types.js';
import { patrol, tableOf } from '../ledger/fixtures.js';

const GRANTED = new Date('2025-03-03T12:00:00Z');
const NOW = new Date('2025-03-03T12:07:30Z');
const table = tableOf(patrol({ id: 'a' }), patrol({ id: 'b' }), patrol({ id: 'c' }));

function job(runId: number, runAttempt = 1): ActionsHolder {
  return { kind: 'actions', repository: 'octo-org/patrols', runId, runAttempt, job: 'tick' };
}

function identity(holder: ActionsHolder): TickIdentity {
  return { id: `${holder.runId}.${holder.runAttempt}`, holder, version: 'test' };
}

/** `a` and `b` leased to run 1, `c` leased to run 2; nonces name their patrol. */
function ledger(): LedgerDocument {
  let doc: LedgerDocument | null = null;
  for (const [id, holder] of [
    ['a', job(1)],
    ['b', job(1)],
    ['c', job(2)],
  ] as const) {
    doc = planTick({
      table,
      current: doc,
      now: GRANTED,
      tick: identity(holder),
      patrol: id,
      force: true,
      liveness: new Map(),
      newNonce: () => `nonce-${id}`,
    }).next;
  }
  return doc as LedgerDocument;
}

const writer = { id: '1.1-post', holder: job(1), version: 'test' };

describe('releaseAbandoned', () => {
  it('releases every lease with a saved nonce and this job as holder, in one document', () => {
    const result = releaseAbandoned(ledger(), new Set(['nonce-a', 'nonce-b']), job(1), writer, NOW);

    expect(result.released).toEqual([
      { patrol: 'a', fencingToken: 1, slots: [GRANTED.toISOString()] },
      { patrol: 'b', fencingToken: 1, slots: [GRANTED.toISOString()] },
    ]);
    const next = result.next as LedgerDocument;
    expect(next.state.patrols.a?.lease).toBeNull();
    expect(next.state.patrols.b?.lease).toBeNull();
    expect(next.state.patrols.c?.lease?.nonce).toBe('nonce-c');
    expect(next.events.map((e) => [e.type, 'patrol' in e ? e.patrol : ''])).toEqual([
      ['released', 'a'],
      ['released', 'b'],
    ]);
    expect(next.state.patrols.a?.lastRun).toEqual({
      slot: GRANTED.toISOString(),
      fencingToken: 1,
      nonce: 'nonce-a',
      tick: '1.1',
      startedAt: GRANTED.toISOString(),
      finishedAt: NOW.toISOString(),
      outcome: 'cancelled',
      exitCode: null,
      durationMs: 450_000,
    });
  });

  it.each([
    ['another job’s nonce', new Set(['nonce-c']), job(1)],
    ['this nonce, but another holder', new Set(['nonce-a']), job(2)],
    ['this nonce, but a later attempt of the run', new Set(['nonce-a']), job(1, 2)],
    ['no saved nonce', new Set<string>(), job(1)],
  ])('leaves the ledger alone given %s', (_, nonces, holder) => {
    expect(releaseAbandoned(ledger(), nonces, holder, writer, NOW)).toEqual({
      next: null,
      released: [],
    });
  });

  it('records the run page on the runs it ends', () => {
    const url = 'https://github.com/octo-org/patrols/actions/runs/1';
    const result = releaseAbandoned(ledger(), new Set(['nonce-a']), job(1), writer, NOW, url);
    expect(result.next?.state.patrols.a?.lastRun?.url).toBe(url);
  });
});
