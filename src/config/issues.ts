import type { z } from 'zod';

import { PATROL_KEYS, PULL_REQUEST_KEYS, TABLE_KEYS } from './schema.js';
import type { DataPath, TableSource } from './source.js';
import { suggestKey } from './suggest.js';
import type { SourceProblem } from './types.js';

type Issue = z.core.$ZodIssue;

/**
 * zod's issues about the table, as problems at the place in the file each one is about: the
 * value for a bad value, the key for an unknown key, the patrol for a missing key.
 */
export function problemsFromIssues(
  issues: readonly Issue[],
  source: TableSource,
  data: unknown,
): SourceProblem[] {
  const guesses = guessedKeys(issues);
  const problems: SourceProblem[] = [];

  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      problems.push(...unknownKeyProblems(issue.path, issue.keys, source));
    } else if (issue.code === 'invalid_key') {
      const message = issue.issues[0]?.message ?? issue.message;
      problems.push(source.problemAtPath(issue.path, message, 'key'));
    } else if (isMissingKey(issue)) {
      const objectPath = issue.path.slice(0, -1);
      const key = String(issue.path.at(-1));
      // `schedul: ...` already reads "did you mean `schedule`?"; saying that `schedule` is
      // missing as well would be the same mistake told twice.
      if (guesses.get(pathKey(objectPath))?.has(key) === true) continue;
      problems.push(source.problemAtPath(objectPath, missingKeyMessage(objectPath, key, data)));
    } else {
      problems.push(source.problemAtPath(issue.path, issue.message));
    }
  }

  return problems;
}

function unknownKeyProblems(
  objectPath: DataPath,
  keys: readonly string[],
  source: TableSource,
): SourceProblem[] {
  const known = knownKeys(objectPath);
  return keys.map((key) => {
    const guess = suggestKey(key, known);
    const message =
      guess === undefined
        ? `unknown key \`${key}\`; ${ownerOf(objectPath)} takes ${known.join(', ')}`
        : `unknown key \`${key}\`; did you mean \`${guess}\`?`;
    return source.problemAtPath([...objectPath, key], message, 'key');
  });
}

/** For each object with unknown keys: the known keys those are guessed to mean. */
function guessedKeys(issues: readonly Issue[]): Map<string, Set<string>> {
  const guesses = new Map<string, Set<string>>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const known = knownKeys(issue.path);
    const meant = issue.keys.map((key) => suggestKey(key, known));
    guesses.set(pathKey(issue.path), new Set(meant.filter((key) => key !== undefined)));
  }
  return guesses;
}

// YAML has no undefined: an empty value reads as null. So a value zod saw as undefined is a
// key the mapping does not have (parsing asks zod to report every input).
function isMissingKey(issue: Issue): boolean {
  return (
    issue.code === 'invalid_type' &&
    issue.input === undefined &&
    typeof issue.path.at(-1) === 'string'
  );
}

function missingKeyMessage(objectPath: DataPath, key: string, data: unknown): string {
  const index = objectPath[1];
  if (objectPath.length === 2 && typeof index === 'number') {
    return `${patrolLabel(data, index)} is missing required key \`${key}\``;
  }
  return `missing required key \`${key}\``;
}

function patrolLabel(data: unknown, index: number): string {
  const id = field(field(field(data, 'patrols'), index), 'id');
  return typeof id === 'string' ? `patrol \`${id}\`` : `patrol ${index + 1}`;
}

function field(value: unknown, key: string | number): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string | number, unknown>)[key];
}

function knownKeys(objectPath: DataPath): readonly string[] {
  if (objectPath.length === 0) return TABLE_KEYS;
  return objectPath.at(-1) === 'pull-request' ? PULL_REQUEST_KEYS : PATROL_KEYS;
}

function ownerOf(objectPath: DataPath): string {
  if (objectPath.length === 0) return 'a patrol table';
  return objectPath.at(-1) === 'pull-request' ? '`pull-request`' : 'a patrol';
}

function pathKey(path: DataPath): string {
  return path.map(String).join('\u0000');
}
