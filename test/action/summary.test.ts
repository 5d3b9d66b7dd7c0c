import { describe, expect, it } from 'vitest';

import {
  cell,
  codeBlock,
  duration,
  failedPatrols,
  renderSummary,
  tickOutputs,
} from '../../src/action/summary.js';
import type { PatrolReport, TickReport } from '../../src/tick/types.js';

function patrol(id: string, outcome: PatrolReport['outcome'], more: Partial<PatrolReport> = {}) {
  return {
    id,
    slot: '2025-03-03T12:05:00.000Z',
    outcome,
    reason: outcome,
    exitCode: null,
    durationMs: null,
    fencingToken: null,
    ...more,
  } satisfies PatrolReport;
}

function report(patrols: PatrolReport[]): TickReport {
  return {
    tick: {
      id: '900.1-abcdef',
      now: '2025-03-03T12:05:30.000Z',
      table: 'ops',
      config: '.github/cronwarden.yml',
      store: 'github:octo-org/patrols',
      ref: 'refs/cronwarden/ops',
      dryRun: false,
      version: '0.1.0',
      writes: 2,
      reporting: true,
    },
    patrols,
  };
}

const mixed = report([
  patrol('backup', 'ran', { exitCode: 0, durationMs: 1500, fencingToken: 7, output: 'ok\n' }),
  patrol('sync', 'missed', { slot: '2025-03-03T11:00:00.000Z', missedCount: 2 }),
  patrol('sync', 'failed', {
    exitCode: 3,
    durationMs: 20,
    fencingToken: 4,
    reason: 'exited with 3',
  }),
  patrol('sync', 'failed', {
    slot: '2025-03-03T12:00:00.000Z',
    exitCode: 3,
    durationMs: 20,
    fencingToken: 4,
    reason: 'exited with 3',
  }),
  patrol('report', 'skipped', { fencingToken: 2 }),
  patrol('mirror', 'duplicate'),
  patrol('idle-one', 'idle', { slot: null }),
]);

describe('tickOutputs', () => {
  it('lists each patrol once under fired, skipped and missed, with its fencing token', () => {
    expect(tickOutputs(mixed)).toMatchObject({
      fired: '["backup","sync"]',
      skipped: '["report","mirror"]',
      missed: '["sync"]',
      'fencing-tokens': '{"backup":7,"sync":4}',
    });
  });

  it('puts the report in the output without the patrols’ output', () => {
    const json = JSON.parse(tickOutputs(mixed).report) as TickReport;
    expect(json.tick.id).toBe('900.1-abcdef');
    expect(json.patrols[0]).toEqual({
      id: 'backup',
      slot: '2025-03-03T12:05:00.000Z',
      outcome: 'ran',
      reason: 'ran',
      exitCode: 0,
      durationMs: 1500,
      fencingToken: 7,
    });
    expect(json.patrols[1]?.missedCount).toBe(2);
  });

  it('names no patrol when the tick was idle', () => {
    expect(tickOutputs(report([patrol('a', 'idle')]))).toMatchObject({
      fired: '[]',
      skipped: '[]',
      missed: '[]',
      'fencing-tokens': '{}',
    });
  });
});

describe('failedPatrols', () => {
  it('finds failed, timed-out, lost-lease and errored runs', () => {
    const outcomes = ['ran', 'failed', 'timed-out', 'lost-lease', 'error', 'skipped'] as const;
    const failed = failedPatrols(report(outcomes.map((o) => patrol(o, o))));
    expect(failed.map((p) => p.id)).toEqual(['failed', 'timed-out', 'lost-lease', 'error']);
  });
});

describe('renderSummary', () => {
  it('shows one table row per report line, failures in bold', () => {
    const markdown = renderSummary(mixed, { notes: [] });
    expect(markdown).toContain('### Cronwarden tick `900.1-abcdef`');
    expect(markdown).toContain(
      '| `backup` | ran | 2025-03-03T12:05:00.000Z | #7 | 0 | 1.5 s | ran |',
    );
    expect(markdown).toContain(
      '| `sync` | missed (2) | 2025-03-03T11:00:00.000Z | – | – | – | missed |',
    );
    expect(markdown).toContain('| `sync` | **failed** |');
    expect(markdown).toContain('2 ledger writes');
  });

  it('puts the notes first, as quotes', () => {
    const markdown = renderSummary(report([]), { notes: ['Dry run: nothing was written.'] });
    expect(markdown.split('\n').slice(0, 4)).toEqual([
      '### Cronwarden tick `900.1-abcdef`',
      '',
      '> Dry run: nothing was written.',
      '',
    ]);
    expect(markdown).toContain('No patrol was considered.');
  });

  it('quotes output in a fence that the output cannot close', () => {
    const output = 'before\n```\n<script>@someone | x\n';
    const markdown = renderSummary(report([patrol('p', 'ran', { output })]), { notes: [] });
    expect(markdown).toContain('````\nbefore\n```\n<script>@someone | x\n````');
  });

  it('keeps only the end of a long output', () => {
    const output = `${'a'.repeat(10_000)}THE END`;
    const markdown = renderSummary(report([patrol('p', 'ran', { output })]), { notes: [] });
    expect(markdown).toContain('(the end of it)');
    expect(markdown).toContain('THE END');
    expect(markdown).not.toContain('a'.repeat(8_001));
  });

  it('keeps a reason with pipes, line breaks and markup on one table row', () => {
    const markdown = renderSummary(report([patrol('p', 'error', { reason: 'a | b\n<b>c</b>' })]), {
      notes: [],
    });
    expect(markdown).toContain('| a \\| b &lt;b&gt;c&lt;/b&gt; |');
  });
});

describe('summary helpers', () => {
  it.each([
    [0, '0 ms'],
    [999, '999 ms'],
    [1_000, '1.0 s'],
    [59_949, '59.9 s'],
    [59_950, '1 min 0 s'],
    [125_400, '2 min 5 s'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });

  it('makes a fence longer than any backtick run inside', () => {
    expect(codeBlock('a ````` b')).toBe('``````\na ````` b\n``````');
  });

  it('escapes a cell', () => {
    expect(cell('x|y\n  z & <w>')).toBe('x\\|y z &amp; &lt;w&gt;');
  });
});
