import { readFile } from 'node:fs/promises';

import { checkTable } from './checks.js';
import { parseDuration } from './duration.js';
import { problemsFromIssues } from './issues.js';
import { ConfigError, sortProblems } from './problems.js';
import { tableSchema } from './schema.js';
import type { RawPatrol, RawTable } from './schema.js';
import { TableSource } from './source.js';
import type { Patrol, PatrolTable, PullRequestSpec, SourceProblem } from './types.js';

/** Where the Action and the CLI look for the table when none is named. */
export const DEFAULT_CONFIG_PATH = '.github/cronwarden.yml';

export interface LoadedTable {
  table: PatrolTable;
  /** Findings that do not stop the table from being used, each with its position. */
  warnings: SourceProblem[];
}

/** Reads and validates the table at `path`; throws ConfigError with every problem found. */
export async function loadTable(path: string): Promise<LoadedTable> {
  return parseTable(await readTableText(path), path);
}

/**
 * Validates the text of a table file; `path` only names the file in problems and in the
 * result. Throws ConfigError carrying every problem found, sorted by position.
 */
export function parseTable(text: string, path: string): LoadedTable {
  const source = new TableSource(text, path);
  const read = source.read();
  if (!read.checkable) throw invalid(read.errors, read.warnings);
  if (read.data === null || read.data === undefined) {
    const empty = 'the file is empty; a patrol table is a mapping with a `patrols` list';
    throw invalid([...read.errors, source.problemAt(0, empty)], read.warnings);
  }

  const parsed = tableSchema.safeParse(read.data, { reportInput: true });
  const schemaErrors = parsed.success
    ? []
    : problemsFromIssues(parsed.error.issues, source, read.data);
  const findings = checkTable(read.data, source);

  const errors = [...read.errors, ...schemaErrors, ...findings.errors];
  const warnings = [...read.warnings, ...findings.warnings];
  if (!parsed.success || errors.length > 0) throw invalid(errors, warnings);
  return { table: normalize(parsed.data, path), warnings: sortProblems(warnings) };
}

async function readTableText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error: unknown) {
    throw new ConfigError([{ file: path, line: 0, col: 0, message: readFailure(error) }]);
  }
}

function readFailure(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  return `cannot read the file: ${error instanceof Error ? error.message : String(error)}`;
}

function invalid(errors: SourceProblem[], warnings: SourceProblem[]): ConfigError {
  return new ConfigError(sortProblems(errors), sortProblems(warnings));
}

function normalize(raw: RawTable, path: string): PatrolTable {
  return {
    id: raw.id,
    path,
    timezone: raw.timezone,
    patrols: raw.patrols.map((patrol) => normalizePatrol(patrol, raw.timezone)),
  };
}

function normalizePatrol(raw: RawPatrol, tableZone: string): Patrol {
  return {
    id: raw.id,
    schedule: raw.schedule,
    timezone: raw.timezone ?? tableZone,
    run: raw.run,
    concurrency: raw.concurrency,
    timeoutMs: optionalDuration(raw.timeout),
    catchUp: raw['catch-up'],
    maxCatchUp: raw['max-catch-up'],
    startingDeadlineMs: optionalDuration(raw['starting-deadline']),
    enabled: raw.enabled,
    env: raw.env,
    workingDirectory: raw['working-directory'],
    failureThreshold: raw['failure-threshold'],
    realertMs: parseDuration(raw.realert),
    pullRequest: normalizePullRequest(raw['pull-request'], raw.id),
  };
}

function normalizePullRequest(
  raw: RawPatrol['pull-request'],
  patrolId: string,
): PullRequestSpec | undefined {
  if (raw === undefined) return undefined;
  return {
    branch: raw.branch ?? `cronwarden/${patrolId}`,
    title: raw.title ?? `Changes from patrol ${patrolId}`,
    body: raw.body,
    labels: raw.labels,
    base: raw.base,
  };
}

function optionalDuration(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(text);
}
