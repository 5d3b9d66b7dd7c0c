import { execFile } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Liveness } from '../ledger/lease.js';
import type { ProcessHolder } from '../ledger/types.js';

// The holder a CLI lease records: the ledger owns the shape, this module fills it in.
export type { ProcessHolder };

/** A process can only be alive, gone, or out of sight (another host). */
export type ProcessLiveness = Exclude<Liveness, 'orphaned'>;

export interface ProcessIdentityOptions {
  /** Which OS interface to read; tests set it to reach the `ps` path on Linux. */
  platform?: NodeJS.Platform;
}

/** What /proc/<pid>/stat says, in the fields this module and the shell runner use. */
export interface ProcStat {
  state: string;
  processGroup: number;
  /** Field 22: clock ticks after boot at which the process started. */
  startTicks: string;
}

type StartTime =
  | { kind: 'running'; value: string }
  | { kind: 'absent' }
  /** The process exists but cannot be read (permissions, a broken /proc, no ps). */
  | { kind: 'unreadable' };

/** The Linux pid namespace every process starts in (PROC_PID_INIT_INO). */
const INITIAL_PID_NAMESPACE = 'pid:[4026531836]';

const PS_TIMEOUT_MS = 10_000;

export async function currentProcessHolder(
  options: ProcessIdentityOptions = {},
): Promise<ProcessHolder> {
  const holder = await processHolderFor(process.pid, options);
  if (holder === null) throw new Error(`Cannot read the start time of this process`);
  return holder;
}

/** The identity of the running process `pid`, or null when it is not running. */
export async function processHolderFor(
  pid: number,
  options: ProcessIdentityOptions = {},
): Promise<ProcessHolder | null> {
  const platform = options.platform ?? process.platform;
  const [host, bootId, start] = await Promise.all([
    hostIdentity(platform),
    readBootId(platform),
    readStartTime(pid, platform),
  ]);
  if (start.kind !== 'running') return null;

  const boot = bootId === undefined ? {} : { bootId };
  return { kind: 'process', host, ...boot, pid, startTime: start.value };
}

/**
 * 'gone' only when sure: same host (and boot) and the pid is absent or started at another
 * time. Another host, or a host that cannot be compared, is 'unknown': the lease then
 * lives until it expires.
 */
export async function probeProcessHolder(
  holder: ProcessHolder,
  options: ProcessIdentityOptions = {},
): Promise<ProcessLiveness> {
  const platform = options.platform ?? process.platform;
  if (!Number.isSafeInteger(holder.pid) || holder.pid <= 0) return 'unknown';
  if (holder.host !== (await hostIdentity(platform))) return 'unknown';

  const bootId = await readBootId(platform);
  if (holder.bootId !== undefined && bootId !== undefined && holder.bootId !== bootId) {
    return 'gone';
  }
  if ((holder.bootId === undefined) !== (bootId === undefined)) return 'unknown';

  const start = await readStartTime(holder.pid, platform);
  if (start.kind === 'unreadable') return 'unknown';
  if (start.kind === 'absent') return 'gone';
  return start.value === holder.startTime ? 'alive' : 'gone';
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself
 * hold spaces and parentheses, so fields are counted from the last ")".
 */
export function parseProcStat(text: string): ProcStat | null {
  const nameEnd = text.lastIndexOf(')');
  if (nameEnd < 0) return null;

  // fields[0] is field 3 (state); field n is fields[n - 3].
  const fields = text
    .slice(nameEnd + 1)
    .trim()
    .split(/\s+/);
  const [state, processGroup, startTicks] = [fields[0], fields[2], fields[19]];
  if (state === undefined || processGroup === undefined || startTicks === undefined) return null;
  if (!/^\d+$/.test(startTicks) || !/^-?\d+$/.test(processGroup)) return null;
  return { state, processGroup: Number(processGroup), startTicks };
}

/** A zombie has exited and only waits for its parent to collect its status. */
export function isDeadState(state: string): boolean {
  return state.startsWith('Z') || state.startsWith('X');
}

async function readStartTime(pid: number, platform: NodeJS.Platform): Promise<StartTime> {
  return platform === 'linux' ? readProcStartTime(pid) : readPsStartTime(pid);
}

async function readProcStartTime(pid: number): Promise<StartTime> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch (error: unknown) {
    return errorCode(error) === 'ENOENT' || errorCode(error) === 'ESRCH'
      ? { kind: 'absent' }
      : { kind: 'unreadable' };
  }

  const stat = parseProcStat(text);
  if (stat === null) return { kind: 'unreadable' };
  if (isDeadState(stat.state)) return { kind: 'absent' };
  return { kind: 'running', value: stat.startTicks };
}

/**
 * `ps` prints the start time in the local zone and language; both are pinned so that two
 * processes with different TZ settings record the same string for the same process.
 */
function readPsStartTime(pid: number): Promise<StartTime> {
  const env = { ...process.env, TZ: 'UTC', LC_ALL: 'C' };
  const args = ['-o', 'stat=', '-o', 'lstart=', '-p', String(pid)];
  return new Promise((resolve) => {
    execFile('ps', args, { env, timeout: PS_TIMEOUT_MS }, (error, stdout) => {
      const line = String(stdout).trim();
      if (line === '') {
        // ps exits 1 with no line for a pid it does not know.
        resolve(error !== null && error.code === 1 ? { kind: 'absent' } : { kind: 'unreadable' });
        return;
      }
      const [state = '', ...started] = line.split(/\s+/);
      if (isDeadState(state)) resolve({ kind: 'absent' });
      else resolve({ kind: 'running', value: started.join(' ') });
    });
  });
}

async function hostIdentity(platform: NodeJS.Platform): Promise<string> {
  if (platform !== 'linux') return hostname();
  // Two containers can share a host name and boot while each has its own pids; a pid
  // from another namespace says nothing here, so the namespace is part of the host.
  const namespace = await readlink('/proc/self/ns/pid').catch(() => INITIAL_PID_NAMESPACE);
  return namespace === INITIAL_PID_NAMESPACE ? hostname() : `${hostname()} ${namespace}`;
}

async function readBootId(platform: NodeJS.Platform): Promise<string | undefined> {
  if (platform !== 'linux') return undefined;
  try {
    const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    return bootId === '' ? undefined : bootId;
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

/**
 * Processes on this machine started for `patrol` by tick `tick`: they carry both in their
 * environment (CRONWARDEN_TICK, CRONWARDEN_PATROL), and so do their children. A tick killed
 * with SIGKILL cannot stop its patrol, so "the tick's pid is gone" does not mean "its run
 * is over"; this is how a later tick finds out. Without `patrol`, every patrol of the tick.
 * Linux only (/proc); elsewhere null: unknown.
 */
export async function findPatrolProcesses(tick: string, patrol?: string): Promise<number[] | null> {
  if (process.platform !== 'linux') return null;
  const wanted = [`CRONWARDEN_TICK=${tick}`];
  if (patrol !== undefined) wanted.push(`CRONWARDEN_PATROL=${patrol}`);
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string;
    try {
      environ = await readFile(`/proc/${entry}/environ`, 'utf8');
    } catch {
      continue; // gone meanwhile, or another user's
    }
    const variables = environ.split('\0');
    if (wanted.every((v) => variables.includes(v))) found.push(Number(entry));
  }
  return found;
}
