import { setTimeout as sleep } from 'node:timers/promises';
import type { Patrol } from '../config/types.js';
import type { Liveness } from '../ledger/lease.js';
import type { Holder, Lease, Revocation } from '../ledger/types.js';
import type { TickLogger } from '../tick/types.js';
import { findPatrolProcesses, probeProcessHolder } from './process-identity.js';

/** How long replaced patrol processes get to end after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;

/**
 * Whether a lease held from the command line is still in use: its tick process runs, or a
 * patrol that tick started still runs without it (`orphaned`: a tick killed with SIGKILL
 * leaves its patrol behind).
 * Leases of other kinds of holder cannot be checked from here: 'unknown'.
 */
export async function probeLocalHolder(
  holder: Holder,
  lease: Lease,
  patrol: string,
): Promise<Liveness> {
  if (holder.kind !== 'process') return 'unknown';
  const tick = await probeProcessHolder(holder);
  if (tick !== 'gone') return tick;
  const orphans = await findPatrolProcesses(lease.tick, patrol);
  if (orphans === null) return 'unknown';
  return orphans.length > 0 ? 'orphaned' : 'gone';
}

/**
 * Before a replacing run starts, end what the replaced run started on this machine, so the
 * two never overlap: the replaced tick would stop its patrol too, but only at its next
 * lease check. Processes of another machine are left to their own tick.
 */
export async function stopLocalRun(
  revocation: Revocation,
  patrol: Patrol,
  log: TickLogger,
): Promise<void> {
  if (revocation.holder.kind !== 'process' || revocation.tick === undefined) return;
  await stopTickProcesses(revocation.tick, patrol.id, log);
}

/**
 * End the processes of a tick's patrols on this machine (all of them, or one patrol's):
 * SIGTERM, then SIGKILL to those still there after a grace period. Returns how many there
 * were; a lease may be given up only once they are gone.
 */
export async function stopTickProcesses(
  tick: string,
  patrol: string | undefined,
  log: Pick<TickLogger, 'info'>,
): Promise<number> {
  const pids = await findPatrolProcesses(tick, patrol);
  if (pids === null || pids.length === 0) return 0;
  log.info(`stopping ${patrol ?? 'the patrols'} of tick ${tick} (pids ${pids.join(', ')})`);
  signalAll(pids, 'SIGTERM');
  for (let waited = 0; waited < STOP_GRACE_MS; waited += 100) {
    const left = await findPatrolProcesses(tick, patrol);
    if (left === null || left.length === 0) return pids.length;
    await sleep(100);
  }
  signalAll((await findPatrolProcesses(tick, patrol)) ?? [], 'SIGKILL');
  return pids.length;
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
