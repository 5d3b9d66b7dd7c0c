import { describe, expect, it } from 'vitest';

import { InputError, parseInstant } from '../../src/cli/args.js';
import { cli } from './support.js';

describe('an instant on the command line', () => {
  it.each([
    ['2026-03-08T05:45:00Z', '2026-03-08T05:45:00.000Z'],
    ['2026-03-08T05:45Z', '2026-03-08T05:45:00.000Z'],
    ['2026-03-08T05:45:00.250Z', '2026-03-08T05:45:00.250Z'],
    ['2026-03-08T07:45:00+02:00', '2026-03-08T05:45:00.000Z'],
    ['2026-03-08T00:15:00-05:30', '2026-03-08T05:45:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('reads %s as %s', (value, expected) => {
    expect(parseInstant(value, '--from').toISOString()).toBe(expected);
  });

  it.each([
    ['2026-02-30T00:00:00Z', 'is not a real date and time'],
    ['2025-02-29T00:00:00Z', 'is not a real date and time'],
    ['2026-04-31T12:00:00Z', 'is not a real date and time'],
    ['2026-01-01T24:00:00Z', 'is not a real date and time'],
    ['2026-01-01T12:60:00Z', 'is not a real date and time'],
    ['2026-01-01T00:00:00+25:00', 'is not a real date and time'],
    ['2026-01-01T00:00:00', 'has no zone: add Z for UTC or an offset such as +02:00'],
    ['2026-01-01T00:00', 'has no zone'],
    ['2026-01-01T00:00:00 UTC', 'ends in " UTC", not Z or an offset'],
    ['2026-01-01T00:00:00+0200', 'ends in "+0200", not Z or an offset'],
    ['2026-01-01T00:00:00Zjunk', 'ends in "Zjunk"'],
    ['2026-01-01', 'is not an ISO-8601 instant'],
    ['tomorrow', 'is not an ISO-8601 instant'],
  ])('refuses %s, naming the flag and the value', (value, why) => {
    const parsing = () => parseInstant(value, '--now');
    expect(parsing).toThrow(InputError);
    expect(parsing).toThrow(`--now "${value}" ${why}`);
  });

  it('is refused by a command with exit 1 and the message', async () => {
    const argv = ['next', '--schedule', '0 * * * *', '--from', '2026-02-30T00:00:00Z'];
    const result = await cli(argv);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--from "2026-02-30T00:00:00Z" is not a real date and time');
    expect(result.stdout).toBe('');
  });
});
