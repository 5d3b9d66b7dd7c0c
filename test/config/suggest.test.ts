import { describe, expect, it } from 'vitest';

import { editDistance, suggestKey, suggestValue } from '../../src/config/suggest.js';

const PATROL_KEYS = [
  'id',
  'schedule',
  'timezone',
  'run',
  'concurrency',
  'timeout',
  'catch-up',
  'max-catch-up',
  'starting-deadline',
  'enabled',
  'env',
  'working-directory',
];

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['timeout', 'timeout', 0],
    ['timeot', 'timeout', 1],
    ['timeoout', 'timeout', 1],
    ['tiemout', 'timeout', 1],
    ['timeoux', 'timeout', 1],
    ['kitten', 'sitting', 3],
  ])('between %j and %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('suggestKey', () => {
  it.each([
    ['timeot', 'timeout'],
    ['catchup', 'catch-up'],
    ['catch_up', 'catch-up'],
    ['maxCatchUp', 'max-catch-up'],
    ['workingDirectory', 'working-directory'],
    ['Schedule', 'schedule'],
    ['shedule', 'schedule'],
    ['timzone', 'timezone'],
    ['cron', 'schedule'],
    ['command', 'run'],
    ['cwd', 'working-directory'],
    ['enviroment', undefined],
    ['retries', undefined],
    ['x', undefined],
  ])('guesses that %j means %j', (typed, meant) => {
    expect(suggestKey(typed, PATROL_KEYS)).toBe(meant);
  });

  it('offers a synonym only when the object has that key', () => {
    expect(suggestKey('jobs', ['id', 'timezone', 'patrols'])).toBe('patrols');
    expect(suggestKey('jobs', PATROL_KEYS)).toBeUndefined();
  });
});

describe('suggestValue', () => {
  it('finds the nearest value, ignoring case', () => {
    expect(suggestValue('europe/berln', ['Europe/Berlin', 'Europe/Bern'])).toBe('Europe/Berlin');
  });

  it('offers nothing when every value is far off', () => {
    expect(suggestValue('Mars/Olympus', ['Europe/Berlin', 'UTC'])).toBeUndefined();
  });
});
