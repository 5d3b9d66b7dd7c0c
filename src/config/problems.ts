import type { SourceProblem } from './types.js';

/** Thrown when a table is invalid: carries every problem found, not just the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: SourceProblem[];
  /** Warnings found on the way; an invalid table may have both. */
  readonly warnings: SourceProblem[];

  constructor(problems: SourceProblem[], warnings: SourceProblem[] = []) {
    super(problems.map((p) => formatProblem(p)).join('\n'));
    this.problems = problems;
    this.warnings = warnings;
  }
}

/**
 * "PATH:LINE:COL: message", the form editors and CI annotations turn into links. A problem
 * without a position (line 0, e.g. a missing file) prints as "PATH: message".
 */
export function formatProblem(p: SourceProblem, severity?: 'error' | 'warning'): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
  const label = severity === undefined ? '' : `${severity}: `;
  return `${where}: ${label}${p.message}`;
}

/** By position in the file; problems at the same position keep the order they were found in. */
export function sortProblems(problems: SourceProblem[]): SourceProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.col - b.col);
}

/**
 * Messages start in lower case after the "PATH:LINE:COL: " prefix. A word such as "GitHub"
 * or "UTC" keeps its capitals.
 */
export function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
