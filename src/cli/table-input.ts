import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEFAULT_CONFIG_PATH, formatProblem, loadTable } from '../config/index.js';
import type { ConfigError, LoadedTable } from '../config/index.js';
import { InputError } from './args.js';
import type { Output } from './output.js';
import { repositoryRoot } from './repository.js';

export const configOption = { config: { type: 'string', short: 'c' } } as const;

export const CONFIG_HELP = `  -c, --config PATH   the patrol table (default: ${DEFAULT_CONFIG_PATH})`;

/** Load the table, printing its warnings; a ConfigError propagates to the entry's catch. */
export async function loadWithWarnings(
  path: string | undefined,
  io: Output,
  cwd = process.cwd(),
): Promise<LoadedTable> {
  const loaded = await loadTable(path ?? (await defaultTable(cwd)));
  for (const warning of loaded.warnings) io.err(formatProblem(warning, 'warning'));
  return loaded;
}

/** The default table, at the root of the repository the command runs in. */
async function defaultTable(cwd: string): Promise<string> {
  const root = await repositoryRoot(cwd);
  const path = join(root, DEFAULT_CONFIG_PATH);
  if (!existsSync(path)) {
    throw new InputError(
      `no patrol table at ${DEFAULT_CONFIG_PATH} in ${root} (the default): pass --config ` +
        'PATH (for example --config examples/cronwarden.yml)',
    );
  }
  return relative(cwd, path) || path;
}

export function reportConfigError(error: ConfigError, io: Output): void {
  for (const problem of error.problems) io.err(formatProblem(problem));
  for (const warning of error.warnings) io.err(formatProblem(warning, 'warning'));
}
