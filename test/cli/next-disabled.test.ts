import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { cli, workspace } from './support.js';

const TABLE = `id: local
patrols:
  - id: nightly
    schedule: "0 2 * * *"
    run: "true"
  - id: paused
    schedule: "0 3 * * *"
    run: "true"
    enabled: false
`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function nextOfTable(...argv: string[]) {
  const ws = await workspace({ 'table.yml': TABLE });
  cleanups.push(ws.cleanup);
  const config = path.join(ws.dir, 'table.yml');
  const from = ['--from', '2026-06-01T00:00:00Z', '--count', '1'];
  return cli(['next', '--config', config, ...from, ...argv], ws.dir);
}

describe('cronwarden next --config with a disabled patrol', () => {
  it('marks the disabled patrol in text, and only it', async () => {
    const result = await nextOfTable();

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^paused \(disabled: no tick runs these slots\)$/m);
    expect(result.stdout).toMatch(/^nightly$/m);
  });

  it('says "enabled": false on the disabled patrol in JSON', async () => {
    const result = await nextOfTable('--json');

    const { patrols } = JSON.parse(result.stdout) as {
      patrols: { id: string; enabled?: boolean }[];
    };
    expect(patrols.map(({ id, enabled }) => ({ id, enabled }))).toEqual([
      { id: 'nightly', enabled: undefined },
      { id: 'paused', enabled: false },
    ]);
  });
});
