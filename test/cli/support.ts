import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in this process, as a user would type it, and capture what it prints. */
export async function cli(argv: string[], cwd = process.cwd()): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    argv,
    {
      out: (text) => (stdout += ensureNewline(text)),
      err: (text) => (stderr += ensureNewline(text)),
    },
    { cwd, now: () => new Date('2026-06-01T12:00:00Z'), env: { PATH: process.env.PATH ?? '' } },
  );
  return { code, stdout, stderr };
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** A temporary directory with the given files; removed by the returned function. */
export async function workspace(files: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'cronwarden-cli-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
