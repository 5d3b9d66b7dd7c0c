import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { codeBlock } from '../../src/report/markdown.js';
import { renderExamples } from './examples.js';

/**
 * docs/reports.md shows what the bot writes. Each example follows a line
 * `<!-- example:NAME -->` as a fenced block, and must be exactly what the renderers give.
 * After a deliberate change to a renderer, refresh the document with
 * `UPDATE_REPORT_EXAMPLES=1 npx vitest run test/report/examples.test.ts`.
 */
const DOC = path.join(import.meta.dirname, '..', '..', 'docs', 'reports.md');
const EXAMPLE = /<!-- example:([a-z-]+) -->\n(`{3,})markdown\n([\s\S]*?)\n\2\n/g;

function blocks(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(EXAMPLE)) out.set(m[1] as string, `${m[3] as string}\n`);
  return out;
}

function withExamples(text: string, examples: Record<string, string>): string {
  return text.replace(EXAMPLE, (whole, name: string) => {
    const example = examples[name];
    return example === undefined
      ? whole
      : `<!-- example:${name} -->\n${codeBlock(example, 'markdown')}\n`;
  });
}

describe('docs/reports.md', () => {
  it('shows each example exactly as the renderers write it', async () => {
    const examples = renderExamples();
    let text = await readFile(DOC, 'utf8');
    if (process.env.UPDATE_REPORT_EXAMPLES === '1') {
      text = withExamples(text, examples);
      await writeFile(DOC, text);
    }
    const shown = blocks(text);
    expect([...shown.keys()].sort()).toEqual(Object.keys(examples).sort());
    for (const [name, example] of Object.entries(examples)) {
      expect(shown.get(name), `example ${name}`).toBe(
        example.endsWith('\n') ? example : `${example}\n`,
      );
    }
  });
});
