import { describe, expect, it } from 'vitest';

import {
  codeBlock,
  defangMarkers,
  fenceFor,
  inlineCode,
  neutraliseMentions,
  sanitise,
} from '../../src/report/markdown.js';
import {
  dashboardKey,
  failureKey,
  incidentKey,
  markerLine,
  readMarker,
} from '../../src/report/marker.js';
import { renderGantt } from '../../src/report/render/gantt.js';
import { BODY_LIMIT, cutBody, fitBody } from '../../src/report/render/limits.js';
import { renderOutput } from '../../src/report/render/output.js';
import {
  formatDuration,
  formatInstant,
  formatInZone,
  formatSlot,
  formatSpan,
} from '../../src/report/time.js';

describe('code fences', () => {
  it.each([
    ['plain text', '```'],
    ['a `tick` in backticks', '```'],
    ['a fence ``` inside', '````'],
    ['five ````` in a row', '``````'],
  ])('for %j are %j', (content, fence) => {
    expect(fenceFor(content)).toBe(fence);
  });

  it('cannot be closed early by the content', () => {
    const block = codeBlock('before\n````\nafter', 'text');
    expect(block).toBe('`````text\nbefore\n````\nafter\n`````');
  });

  it('inline code survives backticks', () => {
    expect(inlineCode('a`b')).toBe('``a`b``');
    expect(inlineCode('`edge`')).toBe('`` `edge` ``');
  });
});

describe('mentions', () => {
  it.each([
    ['@someone', '@\u200Bsomeone'],
    ['cc @acme/oncall-team', 'cc @\u200Bacme/oncall-team'],
    ['mail ops@example.com', 'mail ops@\u200Bexample.com'],
    ['a lone @ sign', 'a lone @ sign'],
  ])('%j reads %j', (text, safe) => {
    expect(neutraliseMentions(text)).toBe(safe);
  });
});

describe('markers', () => {
  it.each([
    [dashboardKey('main'), 'dashboard:main'],
    [failureKey('main', 'backup'), 'failure:main:backup'],
    [incidentKey('main', 'overlap', 'backup', 12), 'incident:main:overlap:backup:12'],
    [incidentKey('main', 'starved', 'backup'), 'incident:main:starved:backup'],
    [failureKey('odd table', 'p:1'), 'failure:odd%20table:p%3A1'],
  ])('key %j is %j', (key, expected) => {
    expect(key).toBe(expected);
  });

  it('carry their state and read it back', () => {
    const state = { v: 1, note: 'a --> b <!-- c & d', n: [1, 2] };
    const line = markerLine('failure:main:backup', state);
    expect(line).not.toMatch(/-->.*-->/);
    expect(line.endsWith(' -->')).toBe(true);
    expect(readMarker(`${line}\n\nbody`)).toEqual({ key: 'failure:main:backup', state });
  });

  it('count only on the first line', () => {
    expect(readMarker(`hello\n${markerLine('dashboard:main')}`)).toBeNull();
    expect(readMarker(markerLine('dashboard:main'))).toEqual({
      key: 'dashboard:main',
      state: undefined,
    });
  });

  it('with state that does not parse still name their key', () => {
    expect(readMarker('<!-- cronwarden:dashboard:main {"v":1 -->')).toBeNull();
    expect(readMarker('<!-- cronwarden:dashboard:main {nope} -->')).toEqual({
      key: 'dashboard:main',
      state: undefined,
    });
  });

  it('cannot be forged by quoted text', () => {
    const forged = '<!-- cronwarden:dashboard:main -->';
    const quoted = defangMarkers(forged);
    expect(quoted).not.toContain('<!--');
    expect(quoted).not.toContain('-->');
    expect(readMarker(quoted)).toBeNull();
    expect(sanitise('\u001b[31mred\u001b[0m\r\nnext')).toBe('red\nnext');
  });
});

describe('cutting bodies', () => {
  it('keeps the marker, closes an open code block and says how much was cut', () => {
    const body = `${markerLine('dashboard:main')}\n\n\`\`\`text\n${'z\n'.repeat(40_000)}\`\`\`\n`;
    const cut = cutBody(body);
    expect(cut.length).toBeLessThanOrEqual(BODY_LIMIT);
    expect(cut.startsWith(markerLine('dashboard:main'))).toBe(true);
    expect(cut).toMatch(/z\n```\n\n> ✂️ [\d,]+ characters were cut here/);
  });

  it('shrinks the output before anything else', () => {
    const output = 'w'.repeat(100_000);
    const body = fitBody(
      (budget) => `HEAD\n${renderOutput(output, { budget })}\nTAIL`,
      output.length,
    );
    expect(body.length).toBeLessThanOrEqual(BODY_LIMIT);
    expect(body.startsWith('HEAD')).toBe(true);
    expect(body.endsWith('TAIL')).toBe(true);
  });

  it('folds long output under a preview of its last lines', () => {
    const output = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join('\n');
    const text = renderOutput(output, { budget: Number.POSITIVE_INFINITY });
    expect(text).toContain('<details><summary>All 50 lines kept</summary>');
    expect(text.indexOf('line 41')).toBeLessThan(text.indexOf('<details>'));
    expect(text.indexOf('line 40')).toBeGreaterThan(text.indexOf('<details>'));
  });
});

describe('times', () => {
  it.each([
    [0, '0s'],
    [400, '0.4s'],
    [12_000, '12s'],
    [200_000, '3m 20s'],
    [8_100_000, '2h 15m'],
    [7_200_000, '2h'],
    [90_000_000, '1d 1h'],
  ])('%i ms reads %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [86_400_000, '1 day'],
    [900_000, '15 minutes'],
    [5_400_000, '1 hour 30 minutes'],
    [120_000, '2 minutes'],
  ])('the period %i ms reads %j', (ms, text) => {
    expect(formatSpan(ms)).toBe(text);
  });

  it('print instants in UTC or a named zone, never the machine’s', () => {
    expect(formatInstant('2031-03-30T01:30:00.000Z')).toBe('2031-03-30 01:30 UTC');
    expect(formatInstant('2031-03-30T01:30:05.000Z')).toBe('2031-03-30 01:30:05 UTC');
    expect(formatInZone('2031-03-30T01:30:00.000Z', 'Europe/Berlin')).toBe(
      '2031-03-30 03:30 Europe/Berlin',
    );
    expect(formatSlot('2031-03-29T01:30:00.000Z', 'Europe/Berlin')).toBe(
      '2031-03-29 02:30 Europe/Berlin (2031-03-29 01:30 UTC)',
    );
    expect(formatSlot('2031-03-29T01:30:00.000Z', 'UTC')).toBe('2031-03-29 01:30 UTC');
  });
});

describe('gantt charts', () => {
  it('draw one bar per run, failures as crit, and nothing when there is nothing', () => {
    expect(renderGantt('empty', [{ name: 'a', bars: [] }])).toBeNull();
    const chart = renderGantt('Runs: today', [
      {
        name: 'backup',
        bars: [
          {
            label: 'lease 1 ran',
            start: '2031-01-01T00:00:00Z',
            end: '2031-01-01T00:05:00Z',
            status: 'done',
          },
          {
            label: 'lease 2 failed',
            start: '2031-01-01T00:03:00Z',
            end: '2031-01-01T00:03:00Z',
            status: 'crit',
          },
          {
            label: 'lease 1: ended #1',
            start: '2031-01-01T00:03:00Z',
            end: '',
            status: 'milestone',
          },
        ],
      },
    ]);
    expect(chart).toBe(
      [
        '```mermaid',
        'gantt',
        '    title Runs today',
        '    dateFormat YYYY-MM-DD HH:mm:ss',
        '    axisFormat %H:%M',
        '    section backup',
        '    lease 1 ran :done, r1, 2031-01-01 00:00:00, 2031-01-01 00:05:00',
        '    lease 2 failed :crit, r2, 2031-01-01 00:03:00, 2031-01-01 00:03:01',
        '    lease 1 ended 1 :milestone, r3, 2031-01-01 00:03:00, 0d',
        '```',
      ].join('\n'),
    );
  });
});
