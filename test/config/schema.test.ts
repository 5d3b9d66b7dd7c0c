import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { parseDuration, loadTable, tableJsonSchema } from '../../src/config/index.js';
import { SCHEMA_PATH, renderTableSchema } from '../../scripts/gen-schema.js';

const EXAMPLE_PATH = fileURLToPath(new URL('../../examples/cronwarden.yml', import.meta.url));

interface SchemaNode {
  title?: string;
  description?: string;
  pattern?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/** Every property schema in the table's JSON Schema, by its path. */
function propertiesOf(node: SchemaNode, path = ''): [string, SchemaNode][] {
  const own = Object.entries(node.properties ?? {}).flatMap(([key, child]) => [
    [`${path}${key}`, child] as [string, SchemaNode],
    ...propertiesOf(child, `${path}${key}.`),
  ]);
  return node.items === undefined ? own : [...own, ...propertiesOf(node.items, `${path}[].`)];
}

const schema = tableJsonSchema as SchemaNode;

describe('the JSON Schema', () => {
  it('committed in schema/ is what the zod schema generates', async () => {
    const committed = await readFile(SCHEMA_PATH, 'utf8');

    expect(committed).toBe(await renderTableSchema());
  });

  it('gives every key a title and a description for editors to show', () => {
    const properties = propertiesOf(schema);

    expect(properties.length).toBeGreaterThanOrEqual(15);
    for (const [path, property] of properties) {
      expect.soft(property.title, path).toMatch(/\w/);
      expect.soft(property.description, path).toMatch(/\w/);
    }
  });

  it('flags in an editor the durations that loading refuses', () => {
    const timeout = propertiesOf(schema).find(([path]) => path === 'patrols.[].timeout')?.[1];
    const pattern = new RegExp(timeout?.pattern ?? '(?!)');

    for (const text of ['90s', '50m', '2h', '1h30m', '1d', '-5m', '5 minutes', '90', '30m1h']) {
      const accepted = (() => {
        try {
          return parseDuration(text) > 0;
        } catch {
          return false;
        }
      })();
      expect.soft(pattern.test(text), text).toBe(accepted);
    }
  });
});

describe('the example table', () => {
  it('loads without problems or warnings', async () => {
    const { table, warnings } = await loadTable(EXAMPLE_PATH);

    expect(table.id).toBe('example');
    expect(warnings).toEqual([]);
  });

  it('shows every policy and catch-up mode, a zone with DST and a timeout', async () => {
    const { table } = await loadTable(EXAMPLE_PATH);
    const patrols = table.patrols;

    expect(new Set(patrols.map((p) => p.concurrency))).toEqual(
      new Set(['allow', 'forbid', 'replace']),
    );
    expect(new Set(patrols.map((p) => p.catchUp))).toEqual(new Set(['latest', 'all', 'none']));
    expect(patrols.some((p) => p.timezone === 'Europe/Berlin')).toBe(true);
    expect(patrols.some((p) => p.timeoutMs !== undefined)).toBe(true);
    expect(patrols).toContainEqual(
      expect.objectContaining({ schedule: '30 6-16/4 * * 1-5', timezone: 'UTC' }),
    );
  });

  it('points editors at the schema on its first line', async () => {
    const text = await readFile(EXAMPLE_PATH, 'utf8');

    expect(text.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=../schema/cronwarden.schema.json',
    );
  });
});
