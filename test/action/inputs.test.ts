import { describe, expect, it } from 'vitest';

import { InputError, parseInputs, readInput } from '../../src/action/inputs.js';

const REPOSITORY = 'octo-org/patrols';

/** The environment the runner gives a step, inputs named as the runner names them. */
function env(inputs: Record<string, string>): Record<string, string> {
  return {
    INPUT_TOKEN: 'ghs_secret',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
}

function problem(inputs: Record<string, string>): string {
  try {
    parseInputs(env(inputs), REPOSITORY);
  } catch (error: unknown) {
    if (error instanceof InputError) return `${error.input}: ${error.message}`;
    throw error;
  }
  throw new Error('expected the inputs to be refused');
}

describe('parseInputs', () => {
  it('applies the documented defaults when only the token is given', () => {
    expect(parseInputs(env({}), REPOSITORY)).toEqual({
      config: '.github/cronwarden.yml',
      token: 'ghs_secret',
      lockRepository: REPOSITORY,
      dryRun: false,
      patrol: undefined,
      force: false,
      maxParallel: 4,
      watchIntervalMs: 60_000,
      report: true,
    });
  });

  it('reads inputs the way the runner names them, dashes kept', () => {
    const parsed = parseInputs(
      {
        INPUT_TOKEN: ' ghs_secret \n',
        'INPUT_LOCK-REPOSITORY': 'octo-org/ledgers',
        'INPUT_DRY-RUN': 'True',
        'INPUT_MAX-PARALLEL': '8',
        'INPUT_WATCH-INTERVAL': '15',
        INPUT_PATROL: 'nightly',
        INPUT_FORCE: 'TRUE',
        INPUT_REPORT: 'false',
        INPUT_CONFIG: 'ops/patrols.yml',
      },
      REPOSITORY,
    );
    expect(parsed).toEqual({
      config: 'ops/patrols.yml',
      token: 'ghs_secret',
      lockRepository: 'octo-org/ledgers',
      dryRun: true,
      patrol: 'nightly',
      force: true,
      maxParallel: 8,
      watchIntervalMs: 15_000,
      report: false,
    });
  });

  it('treats an empty input as left out', () => {
    const parsed = parseInputs(
      env({ patrol: '', 'dry-run': '', 'lock-repository': '  ' }),
      REPOSITORY,
    );
    expect([parsed.patrol, parsed.dryRun, parsed.lockRepository]).toEqual([
      undefined,
      false,
      REPOSITORY,
    ]);
  });

  it.each([
    [{ 'dry-run': 'yes' }, 'dry-run: Input "dry-run" must be true or false, not "yes".'],
    [{ force: '1' }, 'force: Input "force" must be true or false, not "1".'],
    [{ report: 'off' }, 'report: Input "report" must be true or false, not "off".'],
    [
      { 'max-parallel': '0' },
      'max-parallel: Input "max-parallel" must be a whole number from 1 to 64, not "0".',
    ],
    [
      { 'max-parallel': '2.5' },
      'max-parallel: Input "max-parallel" must be a whole number from 1 to 64, not "2.5".',
    ],
    [
      { 'watch-interval': '600' },
      'watch-interval: Input "watch-interval" must be a whole number from 1 to 150, not "600".',
    ],
    [
      { 'lock-repository': 'patrols' },
      'lock-repository: Input "lock-repository" must name a repository as owner/name, not "patrols".',
    ],
    [
      { token: '' },
      'token: Input "token" is empty. Leave it out to use the job\'s GITHUB_TOKEN, or pass a secret that is set.',
    ],
  ])('refuses %j, naming the input', (inputs, expected) => {
    expect(problem(inputs)).toBe(expected);
  });
});

describe('readInput', () => {
  it('turns spaces into underscores and upper-cases, as the runner does', () => {
    expect(readInput({ 'INPUT_MY_INPUT-NAME': 'x' }, 'my input-name')).toBe('x');
  });
});
