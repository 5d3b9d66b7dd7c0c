export { DEFAULT_CONFIG_PATH, loadTable, parseTable } from './load.js';
export type { LoadedTable } from './load.js';
export { ConfigError, formatProblem } from './problems.js';
export { DurationError, parseDuration } from './duration.js';
export { tableJsonSchema } from './schema.js';
export type {
  CatchUpMode,
  ConcurrencyPolicy,
  Patrol,
  PatrolTable,
  PullRequestSpec,
  SourceProblem,
} from './types.js';
