// Writes schema/cronwarden.schema.json from the zod schema that validates tables, so the
// schema editors use cannot drift from the checks the tool makes. A test compares the
// committed file with a fresh rendering.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';

import { tableJsonSchema } from '../src/config/schema.js';

export const SCHEMA_PATH = fileURLToPath(
  new URL('../schema/cronwarden.schema.json', import.meta.url),
);

/** The file's text: 2-space JSON and a final newline, laid out as Prettier checks it. */
export async function renderTableSchema(): Promise<string> {
  const options = await resolveConfig(SCHEMA_PATH);
  return format(JSON.stringify(tableJsonSchema, null, 2), { ...options, filepath: SCHEMA_PATH });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(SCHEMA_PATH, await renderTableSchema());
  console.log(`wrote ${SCHEMA_PATH}`);
}
