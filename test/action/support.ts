import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseTable } from '../../src/config/index.js';
import { decodeLedger, encodeLedger } from '../../src/ledger/document.js';
import { planTick } from '../../src/ledger/plan.js';
import type { ActionsHolder, Lease, LedgerDocument } from '../../src/ledger/types.js';
import { startEmulator } from '../support/emulator/index.js';
import type { Emulator, TokenOptions } from '../support/emulator/index.js';

/** A Monday, one minute past a five-minute slot: tests never read the machine's clock. */
export const T0 = new Date('2025-03-03T12:01:00Z');
export const REPO = 'octo-org/patrols';
export const TOKEN = 'ghs_cronwarden_action_test';
export const TABLE_ID = 'ops';
export const LEDGER_REF = `refs/cronwarden/${TABLE_ID}`;

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/loader.mjs');

/** What a job's GITHUB_TOKEN gets from the ticker workflow's permissions block. */
export const TICKER_PERMISSIONS: TokenOptions['permissions'] = {
  contents: 'write',
  issues: 'write',
  pull_requests: 'write',
  actions: 'read',
  metadata: 'read',
};

export async function startWorld(): Promise<Emulator> {
  const emu = await startEmulator({ now: T0 });
  emu.addRepo(REPO);
  emu.addToken(TOKEN, {
    login: 'github-actions[bot]',
    type: 'Bot',
    permissions: TICKER_PERMISSIONS,
  });
  return emu;
}

/** A temporary workspace holding the table at .github/cronwarden.yml. */
export async function workspace(table: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cronwarden-action-'));
  await mkdir(join(dir, '.github'));
  await writeFile(join(dir, '.github/cronwarden.yml'), table);
  return dir;
}

export async function removeWorkspace(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A table with one patrol, `sweep`, every five minutes. */
export function oneTable(run: string, options: { timeout?: string } = {}): string {
  return [
    `id: ${TABLE_ID}`,
    'patrols:',
    '  - id: sweep',
    "    schedule: '*/5 * * * *'",
    `    run: ${JSON.stringify(run)}`,
    `    timeout: ${options.timeout ?? '1m'}`,
    '',
  ].join('\n');
}

/**
 * Write a ledger in which `sweep` is leased to run `runId` of this repository, granted at
 * the emulator's current time, as that run's own tick would have written it.
 */
export function seedLease(emu: Emulator, tableText: string, runId: number): Lease {
  const { table } = parseTable(tableText, '.github/cronwarden.yml');
  const holder: ActionsHolder = {
    kind: 'actions',
    repository: REPO,
    runId,
    runAttempt: 1,
    job: 'tick',
  };
  const plan = planTick({
    table,
    current: null,
    now: emu.clock.now(),
    tick: { id: `${runId}.1-seeded`, holder, version: '0.1.0' },
    force: true,
    liveness: new Map(),
    newNonce: () => `seeded-nonce-of-run-${runId}`,
  });
  const sha = emu.seedCommit(REPO, {
    message: encodeLedger(plan.next),
    files: { 'README.md': 'a ledger written by another run\n' },
  });
  emu.setRef(REPO, LEDGER_REF, sha);
  const lease = plan.next.state.patrols.sweep?.lease;
  if (lease === null || lease === undefined) throw new Error('the seeded plan granted no lease');
  return lease;
}

export interface Job {
  runId: number;
  attempt?: number;
  job?: string;
  event?: string;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  /** main: src/action/main.ts through tsx; post: src/action/post.ts; dist: the bundle. */
  entry?: 'main' | 'post' | 'dist-main';
  /** For the post step: the main step's saved state, as the runner passes it. */
  state?: Record<string, string>;
  token?: string;
}

export interface StepResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

export interface Step {
  process: ReturnType<typeof spawn>;
  done: Promise<StepResult>;
  /** Where this step's GITHUB_STATE file is (read it while the step runs). */
  stateFile: string;
}

const ENTRIES = {
  main: ['--import', TSX, join(ROOT, 'src/action/main.ts')],
  post: ['--import', TSX, join(ROOT, 'src/action/post.ts')],
  'dist-main': [join(ROOT, 'dist/index.js')],
} as const;

/** Start one step as the runner does: a node process with INPUT_*, GITHUB_* and files. */
export async function startStep(emu: Emulator, ws: string, job: Job): Promise<Step> {
  const files = await mkdtemp(join(tmpdir(), 'cronwarden-step-'));
  const paths = {
    GITHUB_OUTPUT: join(files, 'output'),
    GITHUB_STATE: join(files, 'state'),
    GITHUB_STEP_SUMMARY: join(files, 'summary'),
  };
  await Promise.all(Object.values(paths).map((p) => writeFile(p, '')));
  // Reporting on issues is tested on its own: it adds a dozen throttled writes per tick.
  const inputs: Record<string, string> = {
    token: job.token ?? TOKEN,
    report: 'false',
    ...job.inputs,
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: ws,
    TZ: process.env.TZ ?? 'UTC',
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: emu.url,
    GITHUB_GRAPHQL_URL: `${emu.url}/graphql`,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: REPO,
    GITHUB_RUN_ID: String(job.runId),
    GITHUB_RUN_ATTEMPT: String(job.attempt ?? 1),
    GITHUB_JOB: job.job ?? 'tick',
    GITHUB_EVENT_NAME: job.event ?? 'schedule',
    GITHUB_WORKSPACE: ws,
    ...paths,
    ...Object.fromEntries(
      Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
    ),
    ...Object.fromEntries(
      Object.entries(job.state ?? {}).map(([name, value]) => [`STATE_${name}`, value]),
    ),
    ...job.env,
  };
  const child = spawn(process.execPath, [...ENTRIES[job.entry ?? 'main']], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<StepResult>((resolveStep, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      void (async () => {
        const result: StepResult = {
          code,
          signal,
          stdout,
          stderr,
          outputs: parseFileCommand(await readFile(paths.GITHUB_OUTPUT, 'utf8')),
          state: parseFileCommand(await readFile(paths.GITHUB_STATE, 'utf8')),
          summary: await readFile(paths.GITHUB_STEP_SUMMARY, 'utf8'),
        };
        await rm(files, { recursive: true, force: true });
        resolveStep(result);
      })().catch(reject);
    });
  });
  return { process: child, done, stateFile: paths.GITHUB_STATE };
}

export async function runStep(emu: Emulator, ws: string, job: Job): Promise<StepResult> {
  return (await startStep(emu, ws, job)).done;
}

/**
 * GITHUB_OUTPUT and GITHUB_STATE hold `name<<DELIMITER`, the value's lines, `DELIMITER`;
 * the runner takes the last value written under a name.
 */
export function parseFileCommand(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const header = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (header === null) continue;
    const [, name, delimiter] = header as unknown as [string, string, string];
    const end = lines.indexOf(delimiter, i + 1);
    values[name] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return values;
}

/** The ledger document at the tip of the table's ref in the emulator. */
export function ledger(emu: Emulator): LedgerDocument {
  const tip = emu.refs(REPO, LEDGER_REF)[LEDGER_REF];
  if (tip === undefined) throw new Error(`${LEDGER_REF} does not exist`);
  const commit = emu.commit(REPO, tip);
  if (commit === undefined) throw new Error(`no commit ${tip}`);
  return decodeLedger(LEDGER_REF, tip, commit.message);
}

/** Requests that changed something (everything but reads). */
export function writes(emu: Emulator): string[] {
  return emu.log
    .filter((e) => e.method !== 'GET' && e.path !== '/graphql')
    .map((e) => `${e.method} ${e.path} ${e.status}`);
}

/** Poll until `check` holds; a test waits for another process, never for a fixed time. */
export async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Lines of a file in the workspace, or none when it does not exist. */
export async function linesOf(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}
