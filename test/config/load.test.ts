import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ConfigError, DEFAULT_CONFIG_PATH, loadTable } from '../../src/config/index.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cronwarden-config-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusalOf(path: string): Promise<ConfigError> {
  const error: unknown = await loadTable(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof ConfigError) return error;
  throw new Error(`expected a ConfigError, got ${String(error)}`);
}

describe('loadTable', () => {
  it('reads and validates the file, keeping the path as given', async () => {
    const path = join(dir, 'valid.yml');
    await writeFile(path, "patrols:\n  - { id: a, schedule: '0 9 * * *', run: echo }\n");

    const { table, warnings } = await loadTable(path);

    expect(table.path).toBe(path);
    expect(table.patrols.map((p) => p.id)).toEqual(['a']);
    expect(warnings).toEqual([]);
  });

  it('names a missing file with no position', async () => {
    const path = join(dir, 'absent.yml');

    const error = await refusalOf(path);

    expect(error.problems).toEqual([{ file: path, line: 0, col: 0, message: 'file not found' }]);
    expect(error.message).toBe(`${path}: file not found`);
  });

  it('says so when the path is a directory', async () => {
    const error = await refusalOf(dir);

    expect(error.problems).toEqual([
      { file: dir, line: 0, col: 0, message: 'is a directory, not a file' },
    ]);
  });

  it('names the file in every problem of an invalid table', async () => {
    const path = join(dir, 'invalid.yml');
    await writeFile(path, 'patrols:\n  - id: a\n    timeot: 5m\n');

    const error = await refusalOf(path);

    expect(error.problems.map((p) => [p.file, p.line, p.col])).toEqual([
      [path, 2, 5],
      [path, 2, 5],
      [path, 3, 5],
    ]);
  });

  it('looks in .github/ by default', () => {
    expect(DEFAULT_CONFIG_PATH).toBe('.github/cronwarden.yml');
  });
});
