import { existsSync } from 'node:fs';
import { DEFAULT_CONFIG_PATH, formatProblem, loadTable } from '../config/index.js';
import type { ConfigError, LoadedTable } from '../config/index.js';
import { InputError } from './args.js';
import type { Output } from './output.js';

export const configOption = { config: { type: 'string', short: 'c' } } as const;

export const CONFIG_HELP = `  -c, --config PATH   the patrol table (default: ${DEFAULT_CONFIG_PATH})`;

/** Load the table, printing its warnings; a ConfigError propagates to the entry's catch. */
export async function loadWithWarnings(path: string | undefined, io: Output): Promise<LoadedTable> {
  if (path === undefined && !existsSync(DEFAULT_CONFIG_PATH)) {
    throw new InputError(
      `no patrol table at ${DEFAULT_CONFIG_PATH} (the default): run in a repository that has ` +
        'one, or pass --config PATH (for example --config examples/cronwarden.yml)',
    );
  }
  const loaded = await loadTable(path ?? DEFAULT_CONFIG_PATH);
  for (const warning of loaded.warnings) io.err(formatProblem(warning, 'warning'));
  return loaded;
}

export function reportConfigError(error: ConfigError, io: Output): void {
  for (const problem of error.problems) io.err(formatProblem(problem));
  for (const warning of error.warnings) io.err(formatProblem(warning, 'warning'));
}
