import { isAbsolute, relative, resolve } from 'node:path';
import { ConfigError, formatProblem, loadTable } from '../config/index.js';
import type { PatrolTable, SourceProblem } from '../config/types.js';
import { TableInvalidError } from './failure.js';
import type { ActionKit, Annotation } from './kit.js';

/**
 * Load the table from the workspace. Its warnings and problems become annotations at
 * their lines (GitHub shows them on the file in the run and in pull requests); an invalid
 * table fails with TableInvalidError before anything is read or written.
 */
export async function loadPatrolTable(
  kit: ActionKit,
  workspace: string,
  config: string,
): Promise<PatrolTable> {
  try {
    const loaded = await loadTable(resolve(workspace, config));
    annotate(kit, workspace, loaded.warnings, 'warning');
    describeTable(kit, config, loaded.table);
    // Reports name the table as the workflow does, not by the runner's absolute path,
    // which differs between runners and would rewrite the dashboard for nothing.
    return { ...loaded.table, path: config };
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    annotate(kit, workspace, error.warnings, 'warning');
    annotate(kit, workspace, error.problems, 'error');
    throw new TableInvalidError(invalidMessage(workspace, config, error.problems));
  }
}

function annotate(
  kit: ActionKit,
  workspace: string,
  problems: SourceProblem[],
  severity: 'error' | 'warning',
): void {
  for (const problem of problems) {
    kit[severity](problem.message, annotationFor(problem, workspace));
  }
}

/** Annotations name files relative to the repository root, as GitHub links them. */
export function annotationFor(problem: SourceProblem, workspace: string): Annotation {
  const file = workspaceRelative(problem.file, workspace);
  return {
    file,
    title: 'Cronwarden patrol table',
    ...(problem.line > 0 ? { startLine: problem.line, startColumn: problem.col } : {}),
  };
}

function workspaceRelative(file: string, workspace: string): string {
  if (!isAbsolute(file)) return file;
  const inside = relative(workspace, file);
  return inside.startsWith('..') ? file : inside.split('\\').join('/');
}

function invalidMessage(workspace: string, config: string, problems: SourceProblem[]): string {
  const first = problems[0];
  const shown =
    first === undefined
      ? ''
      : `: ${formatProblem({ ...first, file: workspaceRelative(first.file, workspace) })}`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more, annotated)` : '';
  const hint = problems.some((p) => p.line === 0 && p.message === 'file not found')
    ? ' Check the `config` input, and that the job checks out the repository first ' +
      '(actions/checkout) so the table is in the workspace.'
    : '';
  return `The patrol table ${config} is invalid${shown}${more}.${hint}`;
}

function describeTable(kit: ActionKit, config: string, table: PatrolTable): void {
  kit.info(`${config}: table "${table.id}" with ${table.patrols.length} patrol(s)`);
  for (const patrol of table.patrols) {
    const state = patrol.enabled ? patrol.concurrency : 'disabled';
    kit.info(`  ${patrol.id}: "${patrol.schedule}" in ${patrol.timezone}, ${state}`);
  }
}
