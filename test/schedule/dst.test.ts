/**
 * Slots across DST transitions, zone family by zone family, both directions. Expected
 * instants are worked out by hand from the 2026 transitions (listed per block); the last
 * test checks that list against Intl, so a changed tz database shows up as such.
 */
import { describe, expect, it } from 'vitest';

import { nextSlots } from '../../src/schedule/index.js';
import { iso, transitionsBetween } from './wall-clock.js';

interface Case {
  /** What the case pins. */
  rule: string;
  expression: string;
  zone: string;
  after: string;
  slots: string[];
}

/** "2026-03-08T13:00" (UTC, as the table writes it) in toISOString form. */
function z(instant: string): string {
  return `${instant}:00.000Z`;
}

const cases: Case[] = [
  // US: New York -05/-04, Chicago -06/-05. Spring 8 March 02:00 → 03:00; fall 1 November
  // 02:00 → 01:00 (01:00-02:00 repeats).
  {
    rule: 'the required Chicago case: a Sunday 08:00 on the spring-forward day and a week on',
    expression: '0 8 * * 0',
    zone: 'America/Chicago',
    after: '2026-03-08T05:45:00Z',
    slots: ['2026-03-08T13:00', '2026-03-15T13:00'],
  },
  {
    rule: 'a slot in the gap fires at the first valid time after it (02:30 becomes 03:00)',
    expression: '30 2 * * *',
    zone: 'America/New_York',
    after: '2026-03-07T12:00:00Z',
    slots: ['2026-03-08T07:00', '2026-03-09T06:30'],
  },
  {
    rule: 'two slots in the gap fire once, at 03:00',
    expression: '0,30 2 * * *',
    zone: 'America/New_York',
    after: '2026-03-07T12:00:00Z',
    slots: ['2026-03-08T07:00', '2026-03-09T06:00', '2026-03-09T06:30'],
  },
  {
    rule: 'slots in the gap and a slot at 03:00 fire once at 03:00',
    expression: '0,30 2,3 * * *',
    zone: 'America/New_York',
    after: '2026-03-07T12:00:00Z',
    slots: ['2026-03-08T07:00', '2026-03-08T07:30', '2026-03-09T06:00'],
  },
  {
    rule: 'an every-30-minutes schedule loses the gap and fires at 03:00',
    expression: '*/30 * * * *',
    zone: 'America/New_York',
    after: '2026-03-08T06:00:00Z',
    slots: ['2026-03-08T06:30', '2026-03-08T07:00', '2026-03-08T07:30'],
  },
  {
    rule: 'Chicago: 02:15 in the gap becomes 03:00 CDT',
    expression: '15 2 * * *',
    zone: 'America/Chicago',
    after: '2026-03-07T12:00:00Z',
    slots: ['2026-03-08T08:00', '2026-03-09T07:15'],
  },
  {
    rule: 'a fixed-hour slot in the repeated hour fires once, at its first occurrence',
    expression: '30 1 * * *',
    zone: 'America/New_York',
    after: '2026-10-31T12:00:00Z',
    slots: ['2026-11-01T05:30', '2026-11-02T06:30'],
  },
  {
    rule: 'starting inside the first copy, after the slot, the second copy does not fire',
    expression: '30 1 * * *',
    zone: 'America/New_York',
    after: '2026-11-01T05:45:00Z',
    slots: ['2026-11-02T06:30'],
  },
  {
    rule: 'starting inside the second copy, before its 01:30, the second copy does not fire',
    expression: '30 1 * * *',
    zone: 'America/New_York',
    after: '2026-11-01T06:10:00Z',
    slots: ['2026-11-02T06:30'],
  },
  {
    rule: 'Chicago: a fixed 01:00 fires in the first copy only',
    expression: '0 1 * * *',
    zone: 'America/Chicago',
    after: '2026-10-31T12:00:00Z',
    slots: ['2026-11-01T06:00', '2026-11-02T07:00'],
  },
  {
    rule: 'an hour wildcard follows elapsed time: both copies of the repeated hour fire',
    expression: '*/30 * * * *',
    zone: 'America/New_York',
    after: '2026-11-01T04:45:00Z',
    slots: [
      '2026-11-01T05:00',
      '2026-11-01T05:30',
      '2026-11-01T06:00',
      '2026-11-01T06:30',
      '2026-11-01T07:00',
    ],
  },
  {
    rule: 'an hour wildcard starting inside the first copy still fires the second copy',
    expression: '*/30 * * * *',
    zone: 'America/New_York',
    after: '2026-11-01T05:40:00Z',
    slots: ['2026-11-01T06:00', '2026-11-01T06:30', '2026-11-01T07:00'],
  },
  {
    rule: 'an hour wildcard starting inside the second copy goes on from there',
    expression: '*/30 * * * *',
    zone: 'America/New_York',
    after: '2026-11-01T06:10:00Z',
    slots: ['2026-11-01T06:30', '2026-11-01T07:00'],
  },

  // EU: Berlin +01/+02, spring 29 March 02:00 → 03:00, fall 25 October 03:00 → 02:00.
  // London +00/+01, spring 29 March 01:00 → 02:00, fall 25 October 02:00 → 01:00.
  {
    rule: 'Berlin: 02:30 in the gap becomes 03:00 CEST',
    expression: '30 2 * * *',
    zone: 'Europe/Berlin',
    after: '2026-03-28T12:00:00Z',
    slots: ['2026-03-29T01:00', '2026-03-30T00:30'],
  },
  {
    rule: 'Berlin: 02:30 in the repeated hour fires once, in CEST',
    expression: '30 2 * * *',
    zone: 'Europe/Berlin',
    after: '2026-10-24T12:00:00Z',
    slots: ['2026-10-25T00:30', '2026-10-26T01:30'],
  },
  {
    rule: 'Berlin: an hour step fires in both copies of the repeated hour',
    expression: '0 */2 * * *',
    zone: 'Europe/Berlin',
    after: '2026-10-24T21:00:00Z',
    slots: ['2026-10-24T22:00', '2026-10-25T00:00', '2026-10-25T01:00', '2026-10-25T03:00'],
  },
  {
    rule: 'London: 01:30 in the gap becomes 02:00 BST',
    expression: '30 1 * * *',
    zone: 'Europe/London',
    after: '2026-03-28T12:00:00Z',
    slots: ['2026-03-29T01:00', '2026-03-30T00:30'],
  },
  {
    rule: 'London: 01:30 in the repeated hour fires once, in BST',
    expression: '30 1 * * *',
    zone: 'Europe/London',
    after: '2026-10-24T12:00:00Z',
    slots: ['2026-10-25T00:30', '2026-10-26T01:30'],
  },
  {
    rule: 'London: an hour wildcard fires in both copies',
    expression: '0,30 * * * *',
    zone: 'Europe/London',
    after: '2026-10-24T23:45:00Z',
    slots: [
      '2026-10-25T00:00',
      '2026-10-25T00:30',
      '2026-10-25T01:00',
      '2026-10-25T01:30',
      '2026-10-25T02:00',
    ],
  },

  // Southern hemisphere: Sydney +11/+10, fall 5 April 03:00 → 02:00, spring 4 October
  // 02:00 → 03:00. Santiago -03/-04, fall at midnight 5 April (23:00-24:00 on 4 April
  // repeats), spring at midnight 6 September (00:00 → 01:00).
  {
    rule: 'Sydney: 02:30 in the repeated hour fires once, in AEDT',
    expression: '30 2 * * *',
    zone: 'Australia/Sydney',
    after: '2026-04-04T12:00:00Z',
    slots: ['2026-04-04T15:30', '2026-04-05T16:30'],
  },
  {
    rule: 'Sydney: 02:30 in the gap becomes 03:00 AEDT',
    expression: '30 2 * * *',
    zone: 'Australia/Sydney',
    after: '2026-10-03T00:00:00Z',
    slots: ['2026-10-03T16:00', '2026-10-04T15:30'],
  },
  {
    rule: 'Santiago: midnight in the midnight gap becomes 01:00',
    expression: '0 0 * * *',
    zone: 'America/Santiago',
    after: '2026-09-04T12:00:00Z',
    slots: ['2026-09-05T04:00', '2026-09-06T04:00', '2026-09-07T03:00'],
  },
  {
    rule: 'Santiago: 00:30 in the midnight gap becomes 01:00',
    expression: '30 0 * * *',
    zone: 'America/Santiago',
    after: '2026-09-04T12:00:00Z',
    slots: ['2026-09-05T04:30', '2026-09-06T04:00', '2026-09-07T03:30'],
  },
  {
    rule: 'Santiago: 23:30 in the hour repeated before midnight fires once',
    expression: '30 23 * * *',
    zone: 'America/Santiago',
    after: '2026-04-03T12:00:00Z',
    slots: ['2026-04-04T02:30', '2026-04-05T02:30', '2026-04-06T03:30'],
  },
  {
    rule: 'Santiago: an hour wildcard fires in both copies of the hour before midnight',
    expression: '0,30 * * * *',
    zone: 'America/Santiago',
    after: '2026-04-05T01:45:00Z',
    slots: [
      '2026-04-05T02:00',
      '2026-04-05T02:30',
      '2026-04-05T03:00',
      '2026-04-05T03:30',
      '2026-04-05T04:00',
    ],
  },

  // Half-hour offsets: Kolkata +05:30 all year. Adelaide +10:30/+09:30, fall 5 April
  // 03:00 → 02:00, spring 4 October 02:00 → 03:00.
  {
    rule: 'Kolkata: local times land on half hours in UTC',
    expression: '0 9 * * *',
    zone: 'Asia/Kolkata',
    after: '2026-01-01T00:00:00Z',
    slots: ['2026-01-01T03:30', '2026-01-02T03:30'],
  },
  {
    rule: 'Kolkata: minute 30 local is minute 0 UTC',
    expression: '30 * * * *',
    zone: 'Asia/Kolkata',
    after: '2026-01-01T00:00:00Z',
    slots: ['2026-01-01T01:00', '2026-01-01T02:00', '2026-01-01T03:00'],
  },
  {
    rule: 'Adelaide: 02:30 in the gap becomes 03:00 ACDT',
    expression: '30 2 * * *',
    zone: 'Australia/Adelaide',
    after: '2026-10-02T12:00:00Z',
    slots: ['2026-10-02T17:00', '2026-10-03T16:30', '2026-10-04T16:00'],
  },
  {
    rule: 'Adelaide: 02:30 in the repeated hour fires once, in ACDT',
    expression: '30 2 * * *',
    zone: 'Australia/Adelaide',
    after: '2026-04-04T00:00:00Z',
    slots: ['2026-04-04T16:00', '2026-04-05T17:00'],
  },
  {
    rule: 'Adelaide: an hour wildcard fires in both copies',
    expression: '0,30 * * * *',
    zone: 'Australia/Adelaide',
    after: '2026-04-04T15:45:00Z',
    slots: ['2026-04-04T16:00', '2026-04-04T16:30', '2026-04-04T17:00', '2026-04-04T17:30'],
  },

  // 30-minute DST shift: Lord Howe +11/+10:30, fall 5 April 02:00 → 01:30 (01:30-02:00
  // repeats), spring 4 October 02:00 → 02:30.
  {
    rule: 'Lord Howe: 02:00 in the half-hour gap becomes 02:30 (no day is skipped)',
    expression: '0 2 * * *',
    zone: 'Australia/Lord_Howe',
    after: '2026-10-02T00:00:00Z',
    slots: ['2026-10-02T15:30', '2026-10-03T15:30', '2026-10-04T15:00'],
  },
  {
    rule: 'Lord Howe: 02:00, 02:15 and 02:30 fire once at 02:30 on the spring day',
    expression: '0,15,30 2 * * *',
    zone: 'Australia/Lord_Howe',
    after: '2026-10-03T12:00:00Z',
    slots: ['2026-10-03T15:30', '2026-10-04T15:00', '2026-10-04T15:15', '2026-10-04T15:30'],
  },
  {
    rule: 'Lord Howe: 01:45 in the repeated half hour fires once, at +11',
    expression: '45 1 * * *',
    zone: 'Australia/Lord_Howe',
    after: '2026-04-04T00:00:00Z',
    slots: ['2026-04-04T14:45', '2026-04-05T15:15'],
  },
  {
    rule: 'Lord Howe: an hour wildcard fires in both copies of the repeated half hour',
    expression: '*/15 * * * *',
    zone: 'Australia/Lord_Howe',
    after: '2026-04-04T14:20:00Z',
    slots: [
      '2026-04-04T14:30',
      '2026-04-04T14:45',
      '2026-04-04T15:00',
      '2026-04-04T15:15',
      '2026-04-04T15:30',
    ],
  },

  // Midnight transitions: Havana -05/-04, spring 8 March 00:00 → 01:00, fall 1 November
  // 01:00 → 00:00. Beirut +02/+03, spring 29 March 00:00 → 01:00, fall 25 October
  // 00:00 → 24 October 23:00.
  {
    rule: 'Havana: midnight in the midnight gap becomes 01:00',
    expression: '0 0 * * *',
    zone: 'America/Havana',
    after: '2026-03-07T00:00:00Z',
    slots: ['2026-03-07T05:00', '2026-03-08T05:00', '2026-03-09T04:00'],
  },
  {
    rule: 'Havana: 00:30 in the midnight gap becomes 01:00',
    expression: '30 0 * * *',
    zone: 'America/Havana',
    after: '2026-03-07T00:00:00Z',
    slots: ['2026-03-07T05:30', '2026-03-08T05:00', '2026-03-09T04:30'],
  },
  {
    rule: 'Havana: 00:30 in the repeated hour after midnight fires once',
    expression: '30 0 * * *',
    zone: 'America/Havana',
    after: '2026-10-31T12:00:00Z',
    slots: ['2026-11-01T04:30', '2026-11-02T05:30'],
  },
  {
    rule: 'Beirut: midnight in the midnight gap becomes 01:00',
    expression: '0 0 * * *',
    zone: 'Asia/Beirut',
    after: '2026-03-27T12:00:00Z',
    slots: ['2026-03-27T22:00', '2026-03-28T22:00', '2026-03-29T21:00'],
  },
  {
    rule: 'Beirut: 23:30 in the hour repeated before midnight fires once',
    expression: '30 23 * * *',
    zone: 'Asia/Beirut',
    after: '2026-10-24T12:00:00Z',
    slots: ['2026-10-24T20:30', '2026-10-25T21:30'],
  },
];

describe('slots across DST transitions', () => {
  it.each(cases)('$zone $expression: $rule', ({ expression, zone, after, slots }) => {
    const found = nextSlots({ expression, timezone: zone }, new Date(after), slots.length);

    expect(iso(found)).toEqual(slots.map(z));
  });
});

describe('the 2026 transitions the table above assumes', () => {
  it.each([
    ['America/New_York', ['2026-03-08T07:00', '2026-11-01T06:00']],
    ['America/Chicago', ['2026-03-08T08:00', '2026-11-01T07:00']],
    ['Europe/Berlin', ['2026-03-29T01:00', '2026-10-25T01:00']],
    ['Europe/London', ['2026-03-29T01:00', '2026-10-25T01:00']],
    ['Australia/Sydney', ['2026-04-04T16:00', '2026-10-03T16:00']],
    ['America/Santiago', ['2026-04-05T03:00', '2026-09-06T04:00']],
    ['Asia/Kolkata', []],
    ['Australia/Adelaide', ['2026-04-04T16:30', '2026-10-03T16:30']],
    ['Australia/Lord_Howe', ['2026-04-04T15:00', '2026-10-03T15:30']],
    ['America/Havana', ['2026-03-08T05:00', '2026-11-01T05:00']],
    ['Asia/Beirut', ['2026-03-28T22:00', '2026-10-24T21:00']],
  ])('%s', (zone, transitions) => {
    const found = transitionsBetween(zone, Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1));

    expect(iso(found.map((instant) => new Date(instant)))).toEqual(transitions.map(z));
  });
});
