import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { historyLimit, isCommitId, refNameProblem } from '../../src/store/rules.js';

const execFileAsync = promisify(execFile);

/** Whether git itself accepts `ref` as a full ref name. */
async function gitAccepts(ref: string): Promise<boolean> {
  try {
    await execFileAsync('git', ['check-ref-format', ref]);
    return true;
  } catch {
    return false;
  }
}

const names: [string, boolean][] = [
  ['refs/cronwarden/nightly', true],
  ['refs/cronwarden/team.a/table_2', true],
  ['refs/cronwarden/ünïcode', true],
  ['refs/cronwarden/a-b+c,d=e', true],
  ['refs/cronwarden/a.lockx', true],
  ['refs/cronwarden/a@b', true],
  ['refs/cronwarden/a}', true],
  ['refs/cronwarden/', false],
  ['refs/cronwarden/a/', false],
  ['refs/cronwarden//a', false],
  ['refs/cronwarden/a..b', false],
  ['refs/cronwarden/.a', false],
  ['refs/cronwarden/a/.b/c', false],
  ['refs/cronwarden/a.lock', false],
  ['refs/cronwarden/a.lock/b', false],
  ['refs/cronwarden/a.', false],
  ['refs/cronwarden/a b', false],
  ['refs/cronwarden/a\tb', false],
  ['refs/cronwarden/a\u007f', false],
  ['refs/cronwarden/a:b', false],
  ['refs/cronwarden/a~b', false],
  ['refs/cronwarden/a^b', false],
  ['refs/cronwarden/a?b', false],
  ['refs/cronwarden/a*b', false],
  ['refs/cronwarden/a[b', false],
  ['refs/cronwarden/a\\b', false],
  ['refs/cronwarden/a@{b', false],
];

describe('refNameProblem', () => {
  it.each(names)('judges %j as git does (accepted: %s)', async (ref, accepted) => {
    expect(refNameProblem(ref) === null).toBe(accepted);
    expect(await gitAccepts(ref)).toBe(accepted);
  });

  it.each([
    ['cronwarden/nightly', 'must start with "refs/"'],
    ['heads/main', 'must start with "refs/"'],
    ['refs/cronwarden', 'needs a name below its namespace'],
    ['@', 'must start with "refs/"'],
  ])('refuses %j, which git might take as a short name: %s', (ref, problem) => {
    expect(refNameProblem(ref)).toContain(problem);
  });
});

describe('isCommitId', () => {
  it.each([
    ['a'.repeat(40), true],
    ['0123456789abcdef'.repeat(4), true],
    ['A'.repeat(40), false],
    ['a'.repeat(39), false],
    ['HEAD', false],
  ])('%j is a commit id: %s', (value, expected) => {
    expect(isCommitId(value)).toBe(expected);
  });
});

describe('historyLimit', () => {
  it('reads no limit as unbounded', () => {
    expect(historyLimit(undefined)).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([0, 1, 500])('keeps %i', (limit) => {
    expect(historyLimit(limit)).toBe(limit);
  });
});
