import { describe, expect, it } from 'vitest';

import { ConfigError, formatProblem, parseTable } from '../../src/config/index.js';
import type { LoadedTable, Patrol } from '../../src/config/index.js';

const FILE = '.github/cronwarden.yml';

/** The lines of a table file; line N of the file is argument N. */
function yaml(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** The problems parseTable finds, as it prints them. */
function problemsIn(text: string): string[] {
  return refusal(text).problems.map((p) => formatProblem(p));
}

function refusal(text: string): ConfigError {
  try {
    parseTable(text, FILE);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the table to be refused');
}

function warningsIn(loaded: LoadedTable): string[] {
  return loaded.warnings.map((p) => formatProblem(p));
}

const DEFAULTS: Omit<Patrol, 'id' | 'schedule' | 'run'> = {
  timezone: 'UTC',
  concurrency: 'forbid',
  timeoutMs: undefined,
  catchUp: 'latest',
  maxCatchUp: 10,
  startingDeadlineMs: undefined,
  enabled: true,
  env: {},
  workingDirectory: undefined,
  failureThreshold: 1,
  realertMs: 24 * 3_600_000,
  pullRequest: undefined,
};

describe('a valid table', () => {
  it('gets every default when it gives only the required keys', () => {
    const loaded = parseTable(
      yaml('patrols:', '  - id: rotate-logs', "    schedule: '30 2 * * *'", '    run: echo hi'),
      FILE,
    );

    expect(loaded).toEqual({
      table: {
        id: 'default',
        path: FILE,
        timezone: 'UTC',
        patrols: [{ id: 'rotate-logs', schedule: '30 2 * * *', run: 'echo hi', ...DEFAULTS }],
      },
      warnings: [],
    });
  });

  it('keeps every key it is given, durations in milliseconds', () => {
    const { table } = parseTable(
      yaml(
        'id: nightly-jobs',
        'timezone: Europe/Berlin',
        'patrols:',
        '  - id: rotate-logs',
        "    schedule: '30 2 * * *'",
        '    timezone: America/Chicago',
        '    run: ./scripts/rotate.sh',
        '    concurrency: replace',
        '    timeout: 1h30m',
        '    catch-up: all',
        '    max-catch-up: 3',
        '    starting-deadline: 2h',
        '    enabled: false',
        "    env: { LOG_DIR: var/log, KEEP: '7' }",
        '    working-directory: sub/dir',
        '    failure-threshold: 3',
        '    realert: 12h',
        '    pull-request:',
        '      branch: cronwarden/logs',
        '      title: Rotated logs',
        '      body: Made by the rotate-logs patrol.',
        '      labels: [maintenance, bot]',
        '      base: develop',
      ),
      'tables/nightly.yml',
    );

    expect(table).toEqual({
      id: 'nightly-jobs',
      path: 'tables/nightly.yml',
      timezone: 'Europe/Berlin',
      patrols: [
        {
          id: 'rotate-logs',
          schedule: '30 2 * * *',
          timezone: 'America/Chicago',
          run: './scripts/rotate.sh',
          concurrency: 'replace',
          timeoutMs: 90 * 60_000,
          catchUp: 'all',
          maxCatchUp: 3,
          startingDeadlineMs: 2 * 3_600_000,
          enabled: false,
          env: { LOG_DIR: 'var/log', KEEP: '7' },
          workingDirectory: 'sub/dir',
          failureThreshold: 3,
          realertMs: 12 * 3_600_000,
          pullRequest: {
            branch: 'cronwarden/logs',
            title: 'Rotated logs',
            body: 'Made by the rotate-logs patrol.',
            labels: ['maintenance', 'bot'],
            base: 'develop',
          },
        },
      ],
    });
  });

  it("gives a patrol without a zone the table's zone", () => {
    const { table } = parseTable(
      yaml(
        'timezone: Asia/Tokyo',
        'patrols:',
        "  - { id: a, schedule: '0 9 * * *', run: 'true' }",
        "  - { id: b, schedule: '0 9 * * *', run: 'true', timezone: UTC }",
      ),
      FILE,
    );

    expect(table.patrols.map((p) => [p.id, p.timezone])).toEqual([
      ['a', 'Asia/Tokyo'],
      ['b', 'UTC'],
    ]);
  });

  it('proposes changes on a branch named after the patrol when pull-request is empty', () => {
    const { table } = parseTable(
      yaml(
        'patrols:',
        "  - { id: bump-deps, schedule: '0 9 * * 1', run: 'true', pull-request: {} }",
      ),
      FILE,
    );

    expect(table.patrols[0]?.pullRequest).toEqual({
      branch: 'cronwarden/bump-deps',
      title: 'Changes from patrol bump-deps',
      body: '',
      labels: [],
      base: undefined,
    });
  });

  it('may share values through YAML anchors', () => {
    const { table } = parseTable(
      yaml(
        'patrols:',
        "  - { id: a, schedule: '0 9 * * *', run: 'true', env: &shared { TEAM: ops } }",
        "  - { id: b, schedule: '0 9 * * *', run: 'true', env: *shared }",
      ),
      FILE,
    );

    expect(table.patrols.map((p) => p.env)).toEqual([{ TEAM: 'ops' }, { TEAM: 'ops' }]);
  });
});

describe('a file that is not a patrol table', () => {
  it.each([
    ['is empty', '', ['1:1: the file is empty; a patrol table is a mapping with a `patrols` list']],
    [
      'holds only comments',
      yaml('# nothing yet'),
      ['1:1: the file is empty; a patrol table is a mapping with a `patrols` list'],
    ],
    [
      'is a list',
      yaml('- id: a'),
      ['1:1: a patrol table must be a mapping with a `patrols` list; got a list'],
    ],
    [
      'is a number',
      yaml('42'),
      ['1:1: a patrol table must be a mapping with a `patrols` list; got 42'],
    ],
    ['lacks patrols', yaml('id: nightly'), ['1:1: missing required key `patrols`']],
    [
      'has an empty patrols list',
      yaml('id: nightly', 'patrols: []'),
      ['2:10: `patrols` is empty; list at least one patrol'],
    ],
    [
      'has patrols that are not a list',
      yaml('id: nightly', 'patrols:', '  rotate-logs: {}'),
      ['3:3: `patrols` must be a list of patrols; got a mapping'],
    ],
    [
      'has patrols with no value',
      yaml('patrols:'),
      ['1:1: `patrols` must be a list of patrols; got an empty value'],
    ],
  ])('is refused when it %s', (_name, text, expected) => {
    expect(problemsIn(text)).toEqual(expected.map((p) => `${FILE}:${p}`));
  });
});

describe('YAML syntax errors', () => {
  it.each([
    [
      'an unclosed quote',
      yaml('patrols:', '  - id: "rotate'),
      ['3:1: missing the closing " of a quoted string'],
    ],
    [
      'a tab as indentation',
      yaml('patrols:', '\t- id: a'),
      ['2:1: tabs are not allowed as indentation'],
    ],
    [
      'a second document',
      yaml('patrols: []', '---', 'patrols: []'),
      [
        '2:1: a second YAML document starts here; a patrol table is a single document ' +
          '(remove the `---` line and what follows, or merge it into the first)',
      ],
    ],
    [
      'an alias without an anchor',
      yaml('patrols:', "  - { id: a, schedule: '0 9 * * *', run: 'true', env: *shared }"),
      ['2:55: alias *shared refers to no anchor &shared defined before it'],
    ],
  ])('report %s at its position', (_name, text, expected) => {
    expect(problemsIn(text)).toEqual(expected.map((p) => `${FILE}:${p}`));
  });

  it('report a repeated key at its second occurrence, with the other problems', () => {
    expect(
      problemsIn(
        yaml(
          'patrols:',
          '  - id: a',
          "    schedule: '0 9 * * *'",
          '    run: echo one',
          '    run: echo two',
          '    timeot: 5m',
        ),
      ),
    ).toEqual([
      `${FILE}:5:5: duplicate key \`run\`; a key may appear only once in a mapping`,
      `${FILE}:6:5: unknown key \`timeot\`; did you mean \`timeout\`?`,
    ]);
  });

  it('keep the yaml library out of the message', () => {
    const [problem] = refusal(yaml('patrols:', '  - id: "rotate')).problems;
    expect(problem?.message).not.toMatch(/line \d|column|\^|parseAllDocuments/);
  });
});

describe('unknown keys', () => {
  it.each([
    ['timeot', 'timeout'],
    ['catchup', 'catch-up'],
    ['catch_up', 'catch-up'],
    ['maxCatchUp', 'max-catch-up'],
    ['cron', 'schedule'],
  ])('%s is refused at the key with "did you mean `%s`?"', (typed, meant) => {
    const text = yaml(
      'patrols:',
      '  - id: a',
      "    schedule: '0 9 * * *'",
      '    run: echo',
      `    ${typed}: x`,
    );

    expect(problemsIn(text)).toEqual([
      `${FILE}:5:5: unknown key \`${typed}\`; did you mean \`${meant}\`?`,
    ]);
  });

  it('without a close match list the keys a patrol takes', () => {
    const text = yaml('patrols:', "  - { id: a, schedule: '0 9 * * *', run: echo, retries: 3 }");

    expect(problemsIn(text)).toEqual([
      `${FILE}:2:48: unknown key \`retries\`; a patrol takes id, schedule, timezone, run, ` +
        'concurrency, timeout, catch-up, max-catch-up, starting-deadline, enabled, env, ' +
        'working-directory, failure-threshold, realert, pull-request',
    ]);
  });

  it('at the top are refused with the keys a table takes', () => {
    const text = yaml('owner: ops', 'patrols:', "  - { id: a, schedule: '0 9 * * *', run: echo }");

    expect(problemsIn(text)).toEqual([
      `${FILE}:1:1: unknown key \`owner\`; a patrol table takes id, timezone, patrols`,
    ]);
  });

  it('do not also report the missing key they were meant to be', () => {
    const text = yaml('patrols:', '  - id: a', "    schedul: '0 9 * * *'", '    command: echo');

    expect(problemsIn(text)).toEqual([
      `${FILE}:3:5: unknown key \`schedul\`; did you mean \`schedule\`?`,
      `${FILE}:4:5: unknown key \`command\`; did you mean \`run\`?`,
    ]);
  });

  it('at the top do not also report a missing `patrols`', () => {
    const text = yaml('patrol:', "  - { id: a, schedule: '0 9 * * *', run: echo }");

    expect(problemsIn(text)).toEqual([
      `${FILE}:1:1: unknown key \`patrol\`; did you mean \`patrols\`?`,
    ]);
  });
});

describe('missing required keys', () => {
  it('are reported at the patrol, which is named by its id', () => {
    const text = yaml('patrols:', '  - id: rotate-logs', '    timezone: UTC');

    expect(problemsIn(text)).toEqual([
      `${FILE}:2:5: patrol \`rotate-logs\` is missing required key \`schedule\``,
      `${FILE}:2:5: patrol \`rotate-logs\` is missing required key \`run\``,
    ]);
  });

  it('name a patrol without an id by its number', () => {
    const text = yaml(
      'patrols:',
      "  - { id: a, schedule: '0 9 * * *', run: echo }",
      "  - schedule: '0 9 * * *'",
      '    run: echo',
    );

    expect(problemsIn(text)).toEqual([`${FILE}:3:5: patrol 2 is missing required key \`id\``]);
  });
});

describe('patrol ids', () => {
  it('that repeat are refused at the second, naming the first line', () => {
    const text = yaml(
      'patrols:',
      '  - id: rotate-logs',
      "    schedule: '0 9 * * *'",
      '    run: echo one',
      '  - id: rotate-logs',
      "    schedule: '0 10 * * *'",
      '    run: echo two',
    );

    expect(problemsIn(text)).toEqual([
      `${FILE}:5:9: duplicate patrol id \`rotate-logs\`; first used on line 2`,
    ]);
  });

  it.each([['Rotate'], ['rotate logs'], ['-rotate'], ['r'.repeat(65)], ['rötate']])(
    '%j is not a slug',
    (id) => {
      const text = yaml(
        'patrols:',
        `  - id: '${id}'`,
        "    schedule: '0 9 * * *'",
        '    run: echo',
      );

      expect(problemsIn(text)).toEqual([
        `${FILE}:2:9: \`id\` must be a slug: 1-64 lowercase letters, digits, '-' or '_', ` +
          `starting with a letter or digit; got ${JSON.stringify(id)}`,
      ]);
    },
  );

  it.each([['a'], ['0'], ['rotate-logs_2'], ['r'.repeat(64)]])('%j is a slug', (id) => {
    const text = yaml('patrols:', `  - id: '${id}'`, "    schedule: '0 9 * * *'", '    run: echo');

    expect(parseTable(text, FILE).table.patrols[0]?.id).toBe(id);
  });

  it('that are a number are refused, not turned into a string', () => {
    const text = yaml('patrols:', '  - id: 2024', "    schedule: '0 9 * * *'", '    run: echo');

    expect(problemsIn(text)).toEqual([
      `${FILE}:2:9: \`id\` must be a slug: 1-64 lowercase letters, digits, '-' or '_', ` +
        'starting with a letter or digit; got 2024',
    ]);
  });
});

describe('bad values are refused at the value', () => {
  const patrolWith = (line: string) =>
    yaml('patrols:', '  - id: a', "    schedule: '0 9 * * *'", '    run: echo', `    ${line}`);

  it.each([
    ['concurrency: never', '5:18: `concurrency` must be allow, forbid or replace; got "never"'],
    ['catch-up: some', '5:15: `catch-up` must be latest, all or none; got "some"'],
    ['enabled: yes', '5:14: `enabled` must be true or false; got "yes"'],
    ['max-catch-up: 0', '5:19: `max-catch-up` must be a whole number from 1 to 1000; got 0'],
    ['max-catch-up: 2.5', '5:19: `max-catch-up` must be a whole number from 1 to 1000; got 2.5'],
    ['max-catch-up: 1001', '5:19: `max-catch-up` must be a whole number from 1 to 1000; got 1001'],
    [
      'failure-threshold: 0',
      '5:24: `failure-threshold` must be a whole number of at least 1; got 0',
    ],
    [
      'realert: 1 day',
      '5:14: `realert` must be a positive duration such as 90s, 50m, 2h, 1h30m or 1d; got "1 day"',
    ],
    ['pull-request: yes', '5:19: `pull-request` must be a mapping; got "yes"'],
    [
      'pull-request: { branch: main }',
      '5:29: `branch` is force-pushed by the bot, so it must not be a default branch; got "main"',
    ],
    [
      'pull-request: { branch: fix..it }',
      '5:29: `branch` must be a git branch name such as cronwarden/rotate-logs; got "fix..it"',
    ],
    [
      'pull-request: { branch: bot/x, base: bot/x }',
      '5:29: `branch` must differ from `base`: the bot force-pushes it',
    ],
    [
      'pull-request: { labels: [ok, ""] }',
      '5:34: each label must be a name of 1-50 characters; got ""',
    ],
    ['pull-request: { titel: Update }', '5:21: unknown key `titel`; did you mean `title`?'],
    [
      'timeout: 0s',
      '5:14: `timeout`: "0s" is zero; expected a positive duration such as 90s, 50m, 2h, 1h30m ' +
        'or 1d',
    ],
    [
      'timeout: -5m',
      '5:14: `timeout` must be a positive duration such as 90s, 50m, 2h, 1h30m or 1d; got "-5m"',
    ],
    [
      'timeout: 5 minutes',
      '5:14: `timeout` must be a positive duration such as 90s, 50m, 2h, 1h30m or 1d; ' +
        'got "5 minutes"',
    ],
    [
      'timeout: 300',
      '5:14: `timeout` must be a positive duration such as 90s, 50m, 2h, 1h30m or 1d; got 300',
    ],
    [
      'timeout: 36d',
      '5:14: `timeout`: "36d" is longer than 35d, the longest a GitHub workflow run lives',
    ],
    [
      'starting-deadline: 1h30',
      '5:24: `starting-deadline` must be a positive duration such as 90s, 50m, 2h, 1h30m or 1d; ' +
        'got "1h30"',
    ],
    [
      'env: { PORT: 8080 }',
      '5:18: environment variable PORT must be a string; put the value in quotes so YAML keeps ' +
        'it exactly as written; got 8080',
    ],
    [
      'env: { DEBUG: true }',
      '5:19: environment variable DEBUG must be a string; put the value in quotes so YAML ' +
        'keeps it exactly as written; got true',
    ],
    [
      'env: { 1ST: a }',
      "5:12: environment variable names must be letters, digits and '_', not starting with a " +
        'digit; got "1ST"',
    ],
    ['env: [A, B]', '5:10: `env` must be a mapping of variable names to strings; got a list'],
    [
      'working-directory: /srv/app',
      '5:24: `working-directory` must be a relative path that stays inside the repository; ' +
        'got "/srv/app"',
    ],
    [
      'working-directory: sub/../../up',
      '5:24: `working-directory` must be a relative path that stays inside the repository; ' +
        'got "sub/../../up"',
    ],
    [
      'timezone: 2',
      '5:15: `timezone` must be an IANA time zone name such as Europe/Berlin or UTC; got 2',
    ],
  ])('%s', (line, expected) => {
    expect(problemsIn(patrolWith(line))).toEqual([`${FILE}:${expected}`]);
  });

  it('an empty value is reported at its key', () => {
    const text = yaml('patrols:', '  - id: a', "    schedule: '0 9 * * *'", '    run:');

    expect(problemsIn(text)).toEqual([
      `${FILE}:4:5: \`run\` must be a shell command; got an empty value`,
    ]);
  });

  it('a blank command is refused', () => {
    const text = yaml('patrols:', '  - id: a', "    schedule: '0 9 * * *'", "    run: '  '");

    expect(problemsIn(text)).toEqual([
      `${FILE}:4:10: \`run\` is blank; it must be a shell command`,
    ]);
  });

  it('a patrol that is not a mapping is refused at the item', () => {
    const text = yaml('patrols:', '  - rotate-logs');

    expect(problemsIn(text)).toEqual([
      `${FILE}:2:5: each patrol must be a mapping with at least \`id\`, \`schedule\` and ` +
        '`run`; got "rotate-logs"',
    ]);
  });

  it('a bad table id is refused at the value', () => {
    const text = yaml(
      'id: Nightly Jobs',
      'patrols:',
      "  - { id: a, schedule: '0 9 * * *', run: echo }",
    );

    expect(problemsIn(text)).toEqual([
      `${FILE}:1:5: \`id\` must be a slug: 1-64 lowercase letters, digits, '-' or '_', ` +
        'starting with a letter or digit; got "Nightly Jobs"',
    ]);
  });
});

describe('time zones', () => {
  it.each([
    ['Europe/Berln', 'did you mean Europe/Berlin?'],
    ['Berlin', 'did you mean Europe/Berlin?'],
    ['New York', 'did you mean America/New_York?'],
    ['Mars/Olympus_Mons', 'use an IANA name such as Europe/Berlin, America/Chicago or UTC'],
  ])('%j is refused at the value: %s', (zone, hint) => {
    const text = yaml(
      'patrols:',
      '  - id: a',
      "    schedule: '0 9 * * *'",
      `    timezone: ${zone}`,
      '    run: echo',
    );

    expect(problemsIn(text)).toEqual([
      `${FILE}:4:15: unknown time zone ${JSON.stringify(zone)}; ${hint}`,
    ]);
  });

  it("of the table are refused at the table's value", () => {
    const text = yaml(
      'timezone: Europe/Berln',
      'patrols:',
      "  - { id: a, schedule: '0 9 * * *', run: echo }",
    );

    expect(problemsIn(text)).toEqual([
      `${FILE}:1:11: unknown time zone "Europe/Berln"; did you mean Europe/Berlin?`,
    ]);
  });
});

describe('problems', () => {
  it('are all collected, from every check, and sorted by position', () => {
    const text = yaml(
      'timezone: Nowhere/Land',
      'patrols:',
      '  - id: a',
      '    run: echo',
      "    schedule: '0 9 * * *'",
      '    timeot: 5m',
      '  - id: a',
      "    schedule: '0 9 * * *'",
      '    run: echo',
      '    concurrency: sometimes',
      '    enabled: no',
      '  - id: c',
    );

    expect(problemsIn(text)).toEqual([
      `${FILE}:1:11: unknown time zone "Nowhere/Land"; use an IANA name such as ` +
        'Europe/Berlin, America/Chicago or UTC',
      `${FILE}:6:5: unknown key \`timeot\`; did you mean \`timeout\`?`,
      `${FILE}:7:9: duplicate patrol id \`a\`; first used on line 3`,
      `${FILE}:10:18: \`concurrency\` must be allow, forbid or replace; got "sometimes"`,
      `${FILE}:11:14: \`enabled\` must be true or false; got "no"`,
      `${FILE}:12:5: patrol \`c\` is missing required key \`schedule\``,
      `${FILE}:12:5: patrol \`c\` is missing required key \`run\``,
    ]);
  });

  it('all appear in the error message, one per line', () => {
    const error = refusal(yaml('id: X', 'patrols: []'));

    expect(error.message).toBe(
      [
        `${FILE}:1:5: \`id\` must be a slug: 1-64 lowercase letters, digits, '-' or '_', ` +
          'starting with a letter or digit; got "X"',
        `${FILE}:2:10: \`patrols\` is empty; list at least one patrol`,
      ].join('\n'),
    );
  });

  it('keep their positions in a file with CRLF line ends and a byte order mark', () => {
    const text = '\uFEFFpatrols:\r\n  - id: a\r\n    run: echo\r\n    cron: x\r\n';

    expect(problemsIn(text)).toEqual([
      `${FILE}:4:5: unknown key \`cron\`; did you mean \`schedule\`?`,
    ]);
  });
});

describe('warnings', () => {
  it('point at a timeout longer than a GitHub-hosted job may run', () => {
    const loaded = parseTable(
      yaml(
        'patrols:',
        '  - id: a',
        "    schedule: '0 9 * * *'",
        '    run: echo',
        '    timeout: 7h',
      ),
      FILE,
    );

    expect(warningsIn(loaded)).toEqual([
      `${FILE}:5:14: \`timeout\` 7h is longer than 6h, when GitHub stops a job on a ` +
        'GitHub-hosted runner; only a self-hosted runner lets a patrol run that long',
    ]);
    expect(loaded.table.patrols[0]?.timeoutMs).toBe(7 * 3_600_000);
  });

  it('point at a max-catch-up that catch-up ignores', () => {
    const loaded = parseTable(
      yaml(
        'patrols:',
        "  - { id: a, schedule: '0 9 * * *', run: echo, max-catch-up: 5 }",
        "  - { id: b, schedule: '0 9 * * *', run: echo, max-catch-up: 5, catch-up: all }",
      ),
      FILE,
    );

    expect(warningsIn(loaded)).toEqual([
      `${FILE}:2:62: \`max-catch-up\` has no effect unless \`catch-up\` is \`all\``,
    ]);
  });

  it('travel with the error when the table is also invalid', () => {
    const error = refusal(
      yaml('patrols:', '  - id: a', "    schedule: '0 9 * * *'", '    timeout: 8h'),
    );

    expect(error.problems.map((p) => formatProblem(p))).toEqual([
      `${FILE}:2:5: patrol \`a\` is missing required key \`run\``,
    ]);
    expect(error.warnings.map((p) => p.line)).toEqual([4]);
  });
});

describe('formatProblem', () => {
  it.each([
    [{ file: 'a.yml', line: 3, col: 7, message: 'oops' }, undefined, 'a.yml:3:7: oops'],
    [{ file: 'a.yml', line: 3, col: 7, message: 'hm' }, 'warning', 'a.yml:3:7: warning: hm'],
    [
      { file: 'a.yml', line: 0, col: 0, message: 'file not found' },
      'error',
      'a.yml: error: file not found',
    ],
  ] as const)('prints %j as %j', (problem, severity, printed) => {
    expect(formatProblem(problem, severity)).toBe(printed);
  });
});
