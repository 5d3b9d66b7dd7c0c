import { Octokit } from '@octokit/rest';

import { startEmulator } from '../support/emulator/index.js';
import type { Emulator, TokenOptions } from '../support/emulator/index.js';

/** A fixed instant: tests never read the machine's clock. */
export const T0 = new Date('2025-03-01T12:00:00Z');
export const REPO = 'octo-org/patrols';
export const OWNER = 'octo-org';
export const NAME = 'patrols';
export const TOKEN = 'ghs_cronwarden_test';
export const R = { owner: OWNER, repo: NAME };

export const ALL_WRITE: TokenOptions['permissions'] = {
  contents: 'write',
  issues: 'write',
  pull_requests: 'write',
  actions: 'write',
  metadata: 'read',
};

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A plain Octokit (no retry, no throttling) pointed at the emulator; `null`: no token. */
export function client(emu: Emulator, token: string | null = TOKEN): Octokit {
  return new Octokit({
    baseUrl: emu.url,
    log: quiet,
    ...(token === null ? {} : { auth: token }),
  });
}

export interface Setup {
  emu: Emulator;
  octokit: Octokit;
}

/** An emulator with one repository and one all-powerful bot token. */
export async function setup(): Promise<Setup> {
  const emu = await startEmulator({ now: T0 });
  emu.addRepo(REPO);
  emu.addToken(TOKEN, {
    login: 'cronwarden[bot]',
    type: 'Bot',
    permissions: ALL_WRITE,
    canCreateLabels: true,
  });
  return { emu, octokit: client(emu) };
}

/** What an Octokit RequestError carries, read without depending on its class. */
export interface Failure {
  status: number;
  message: string;
  headers: Record<string, string | undefined>;
  data: Record<string, unknown>;
}

export async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (error: unknown) {
    const e = error as {
      status?: number;
      message?: string;
      response?: { headers?: Record<string, string>; data?: unknown };
    };
    if (typeof e.status !== 'number') {
      throw error;
    }
    return {
      status: e.status,
      message: e.message ?? '',
      headers: e.response?.headers ?? {},
      data: (e.response?.data ?? {}) as Record<string, unknown>,
    };
  }
  throw new Error('Expected the request to fail, and it succeeded.');
}

/** Make a commit on top of `parent` through the API, as the ledger store does. */
export async function commitOn(
  octokit: Octokit,
  parent: string | undefined,
  message: string,
  files: Record<string, string> = { 'state.json': message },
): Promise<string> {
  const tree = await octokit.git.createTree({
    ...R,
    tree: Object.entries(files).map(([path, content]) => ({
      path,
      mode: '100644' as const,
      type: 'blob' as const,
      content,
    })),
  });
  const commit = await octokit.git.createCommit({
    ...R,
    message,
    tree: tree.data.sha,
    parents: parent === undefined ? [] : [parent],
  });
  return commit.data.sha;
}
