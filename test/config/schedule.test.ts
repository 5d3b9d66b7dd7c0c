import { describe, expect, it } from 'vitest';

import { ConfigError, parseTable } from '../../src/config/index.js';
import type { SourceProblem } from '../../src/config/index.js';

const FILE = 'cronwarden.yml';

/** A table with one patrol; its schedule is on line 4, column 15. */
function tableWith(schedule: string, ...more: string[]): string {
  return [
    'patrols:',
    '  - id: nightly',
    '    run: echo',
    `    schedule: '${schedule}'`,
    ...more.map((line) => `    ${line}`),
  ].join('\n');
}

function problemsIn(text: string): SourceProblem[] {
  try {
    parseTable(text, FILE);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the table to be refused');
}

describe('a schedule the schedule module refuses', () => {
  it.each([
    ['six fields', '0 0 * * * *', /six fields/],
    ['a macro', '@daily', /macros are not supported/],
    ['one that never fires', '0 0 31 4 *', /never fires: April has no day 31/],
    ['four fields', '* * * *', /has 4 fields/],
    ['a value out of range', '61 * * * *', /not a valid cron expression/],
  ])('is reported at the schedule value: %s', (_name, schedule, reason) => {
    const problems = problemsIn(tableWith(schedule));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: FILE, line: 4, col: 15 });
    expect(problems[0]?.message).toMatch(reason);
  });

  it('is reported for a disabled patrol too', () => {
    const problems = problemsIn(tableWith('@hourly', 'enabled: false'));

    expect(problems.map((p) => [p.line, p.col])).toEqual([[4, 15]]);
  });
});

describe('a schedule in an unknown zone', () => {
  it('is reported at the timezone value, not at the schedule', () => {
    const problems = problemsIn(tableWith('30 2 * * *', 'timezone: Europe/Atlantis'));

    expect(problems).toEqual([
      {
        file: FILE,
        line: 5,
        col: 15,
        message:
          'unknown time zone "Europe/Atlantis"; use an IANA name such as Europe/Berlin, ' +
          'America/Chicago or UTC',
      },
    ]);
  });

  it('still has its expression checked', () => {
    const text = ['timezone: Berlin', tableWith('0 0 31 4 *')].join('\n');

    const problems = problemsIn(text);

    expect(problems.map((p) => [p.line, p.col])).toEqual([
      [1, 11],
      [5, 15],
    ]);
    expect(problems[1]?.message).toMatch(/never fires/);
  });
});

describe('schedule warnings', () => {
  it.each([
    ['fires more often than GitHub ticks', '*/2 * * * *', /every 2 minutes/],
    ['restricts both kinds of day', '0 9 1 * 1', /fires on days that match either/],
  ])('are reported at the schedule value when it %s', (_name, schedule, reason) => {
    const { warnings } = parseTable(tableWith(schedule), FILE);

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ file: FILE, line: 4, col: 15 });
    expect(warnings[0]?.message).toMatch(reason);
  });

  it('are not given for a schedule every 5 minutes', () => {
    expect(parseTable(tableWith('*/5 * * * *'), FILE).warnings).toEqual([]);
  });
});
