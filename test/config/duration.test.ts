import { describe, expect, it } from 'vitest';

import { DurationError, parseDuration } from '../../src/config/index.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  it.each([
    ['90s', 90 * SECOND],
    ['50m', 50 * MINUTE],
    ['2h', 2 * HOUR],
    ['1h30m', HOUR + 30 * MINUTE],
    ['1d', DAY],
    ['1d2h3m4s', DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND],
    ['0h5m', 5 * MINUTE],
    ['35d', 35 * DAY],
    ['120m', 2 * HOUR],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['0s', /is zero/],
    ['0h0m', /is zero/],
    ['-5m', /is not a positive duration/],
    ['5 minutes', /is not a positive duration/],
    ['90', /is not a positive duration/],
    ['', /is not a positive duration/],
    ['1.5h', /is not a positive duration/],
    ['30m1h', /is not a positive duration/],
    ['1h1h', /is not a positive duration/],
    ['5M', /is not a positive duration/],
    [' 5m', /is not a positive duration/],
    ['1w', /is not a positive duration/],
    ['99999999999999999999d', /too long/],
  ])('refuses %j', (text, reason) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(reason);
  });

  it('shows the accepted form in its message', () => {
    expect(() => parseDuration('5 minutes')).toThrow(
      '"5 minutes" is not a positive duration such as 90s, 50m, 2h, 1h30m or 1d',
    );
  });
});
