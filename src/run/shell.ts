import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { isDeadState, parseProcStat } from './process-identity.js';

export interface ShellRunOptions {
  command: string;
  cwd: string;
  /** The full environment of the patrol; undefined values are left out. */
  env: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL. Default 5000. */
  killGraceMs?: number;
  /** Default 1 MiB. */
  outputLimitBytes?: number;
  /** Abort = stop the patrol now (its lease was lost). */
  signal?: AbortSignal;
}

/**
 * How a patrol's command ended. A command that could not start (its working directory is
 * missing, say) resolves rather than throws, with `error` set, `exitCode` and `signal`
 * null and the reason also in `output`, so the caller records it like any other run. One
 * aborted before it began resolves with `aborted` and no `error`.
 */
export interface ShellRunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** From start to the exit of the main process, on a monotonic clock. */
  durationMs: number;
  /** stdout and stderr interleaved as they arrived; over the limit, the tail is kept. */
  output: string;
  /** Everything the patrol wrote, counted even when not kept. */
  outputBytes: number;
  outputTruncated: boolean;
  /** Why the command could not be started; absent when it ran. */
  error?: string;
}

const DEFAULT_KILL_GRACE_MS = 5_000;
const DEFAULT_OUTPUT_LIMIT_BYTES = 1024 * 1024;

/** How often the runner looks for processes left in the patrol's group. */
const GROUP_POLL_MS = 25;

/** SIGKILL takes effect a moment after it is sent; this bounds the wait for it. */
const KILL_SETTLE_MS = 2_000;

/**
 * Once the patrol's group is gone, whatever still holds its pipes escaped the group (for
 * example with setsid); the runner reads for this long more, then stops listening.
 */
const DRAIN_MS = 500;

/**
 * Runs `command` with bash (sh where bash is missing) as its own process group, so that a
 * timeout, an abort or the end of the command stops everything the patrol started.
 */
export async function runShell(options: ShellRunOptions): Promise<ShellRunResult> {
  const output = new OutputTail(options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES);
  if (options.signal?.aborted === true) {
    return notStarted(output, 'the patrol was stopped before it started', { aborted: true });
  }
  const cwdProblem = await workingDirectoryProblem(options.cwd);
  if (cwdProblem !== null) return notStarted(output, cwdProblem, { error: true });

  const shell = await locateShell(options.env.PATH ?? process.env.PATH);
  const started = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(shell, ['-c', options.command], {
      cwd: options.cwd,
      env: definedOnly(options.env),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error: unknown) {
    const why = `${shell} could not start: ${errorMessage(error)}`;
    return notStarted(output, why, { error: true });
  }
  return supervise(child, shell, started, output, options);
}

async function supervise(
  child: ChildProcess,
  shell: string,
  started: number,
  output: OutputTail,
  options: ShellRunOptions,
): Promise<ShellRunResult> {
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null } | Error>(
    (resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (error) => resolve(error));
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));

  const group = child.pid === undefined ? null : new PatrolGroup(child.pid);
  const stopper = group === null ? null : new GroupStopper(group, options.killGraceMs);
  let timedOut = false;
  let aborted = false;
  const onTimeout = () => {
    timedOut = !aborted;
    stopper?.stop();
  };
  const onAbort = () => {
    aborted = !timedOut;
    stopper?.stop();
  };
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(onTimeout, options.timeoutMs);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // It may have aborted while the shell was being looked up, before the listener existed.
  if (options.signal?.aborted === true) onAbort();

  const exit = await exited;
  const durationMs = performance.now() - started;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);

  if (exit instanceof Error || stopper === null) {
    const why = exit instanceof Error ? exit.message : 'no process id';
    return notStarted(output, `${shell} could not start: ${why}`, { error: true });
  }
  await stopper.sweep();
  await drain(child, closed);

  return {
    exitCode: exit.code,
    signal: exit.signal,
    timedOut,
    aborted,
    durationMs,
    ...output.result(),
  };
}

/** Waits for the pipes to close, or stops reading them when an escaped process holds them. */
async function drain(child: ChildProcess, closed: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), DRAIN_MS);
  });
  const drained = await Promise.race([closed.then(() => true), gaveUp]);
  clearTimeout(timer);
  if (drained) return;
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/**
 * The patrol's process group. Its id is the pid of the shell, which was made the group
 * leader; the id cannot be reused while any member, even a zombie, remains.
 */
class PatrolGroup {
  constructor(private readonly id: number) {}

  signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.id, signal);
    } catch {
      // ESRCH: the group is already empty.
    }
  }

  /** Whether any member is still running. Zombies do not count: they have exited. */
  async hasRunningMembers(): Promise<boolean> {
    try {
      process.kill(-this.id, 0);
    } catch (error: unknown) {
      return errorCode(error) === 'EPERM';
    }
    // Orphans that exited stay zombies until some init reaps them, and in containers
    // nothing may; only Linux lets the runner tell a zombie from a running process.
    return process.platform === 'linux' ? this.hasRunningMembersInProc() : true;
  }

  private async hasRunningMembersInProc(): Promise<boolean> {
    const entries = await readdir('/proc').catch(() => null);
    // Without /proc the members cannot be told apart from zombies: assume they run.
    if (entries === null) return true;
    const pids = entries.filter((entry) => /^\d+$/.test(entry));
    const stats = await Promise.all(
      pids.map((pid) => readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')),
    );
    return stats.some((text) => {
      const stat = parseProcStat(text);
      return stat !== null && stat.processGroup === this.id && !isDeadState(stat.state);
    });
  }
}

/** SIGTERM to the whole group, then SIGKILL after the grace period. */
class GroupStopper {
  private deadline: number | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly graceMs: number;

  constructor(
    private readonly group: PatrolGroup,
    graceMs: number | undefined,
  ) {
    this.graceMs = graceMs ?? DEFAULT_KILL_GRACE_MS;
  }

  stop(): void {
    if (this.deadline !== undefined) return;
    this.deadline = performance.now() + this.graceMs;
    this.group.signal('SIGTERM');
    this.killTimer = setTimeout(() => this.group.signal('SIGKILL'), this.graceMs);
  }

  /**
   * After the main process ended: stop whatever it left in its group (a patrol's run ends
   * when its command does) and wait until they are gone, within the grace period.
   */
  async sweep(): Promise<void> {
    try {
      if (!(await this.group.hasRunningMembers())) return;
      this.stop();
      if (await this.waitForEmptyGroup(this.deadline ?? 0)) return;

      this.group.signal('SIGKILL');
      await this.waitForEmptyGroup(performance.now() + KILL_SETTLE_MS);
    } finally {
      // Never signal the group's id later: once empty, the number may belong to another.
      clearTimeout(this.killTimer);
    }
  }

  private async waitForEmptyGroup(until: number): Promise<boolean> {
    while (performance.now() < until) {
      await sleep(GROUP_POLL_MS);
      if (!(await this.group.hasRunningMembers())) return true;
    }
    return false;
  }
}

/** Keeps the last `limit` bytes of output and counts all of it. */
class OutputTail {
  private chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.kept += chunk.length;

    while (this.kept > this.limit && this.chunks.length > 0) {
      const first = this.chunks[0] as Buffer;
      const excess = this.kept - this.limit;
      if (first.length <= excess) {
        this.chunks.shift();
        this.kept -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.kept -= excess;
      }
    }
  }

  result(): { output: string; outputBytes: number; outputTruncated: boolean } {
    const truncated = this.total > this.kept;
    let bytes = Buffer.concat(this.chunks);
    // The cut may fall inside a character; drop its continuation bytes rather than show
    // a replacement character.
    let skip = 0;
    while (truncated && skip < 3 && skip < bytes.length && ((bytes[skip] ?? 0) & 0xc0) === 0x80) {
      skip += 1;
    }
    bytes = bytes.subarray(skip);
    return { output: bytes.toString('utf8'), outputBytes: this.total, outputTruncated: truncated };
  }
}

function notStarted(
  output: OutputTail,
  why: string,
  kind: { aborted: true } | { error: true },
): ShellRunResult {
  output.push(Buffer.from(`cronwarden: ${why}\n`));
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    aborted: 'aborted' in kind,
    durationMs: 0,
    ...output.result(),
    ...('error' in kind ? { error: why } : {}),
  };
}

async function workingDirectoryProblem(cwd: string): Promise<string | null> {
  try {
    if ((await stat(cwd)).isDirectory()) return null;
    return `the patrol cannot start: its working directory ${cwd} is not a directory`;
  } catch (error: unknown) {
    return `the patrol cannot start: its working directory ${cwd} is missing (${errorCode(error)})`;
  }
}

/** bash from the patrol's PATH, else sh from it, else /bin/sh. */
async function locateShell(searchPath: string | undefined): Promise<string> {
  const directories = (searchPath ?? '').split(path.delimiter).filter(Boolean);
  for (const name of ['bash', 'sh']) {
    for (const directory of directories) {
      const candidate = path.join(directory, name);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return '/bin/sh';
}

async function isExecutableFile(candidate: string): Promise<boolean> {
  try {
    await access(candidate, constants.X_OK);
    return (await stat(candidate)).isFile();
  } catch {
    return false;
  }
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) defined[name] = value;
  }
  return defined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}
