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
  const pids = await findPatrolProcesses(revocation.tick, patrol.id);
  if (pids === null || pids.length === 0) return;
  log.info(`${patrol.id}: stopping the replaced run (pids ${pids.join(', ')})`);
  signalAll(pids, 'SIGTERM');
  for (let waited = 0; waited < STOP_GRACE_MS; waited += 100) {
    const left = await findPatrolProcesses(revocation.tick, patrol.id);
    if (left === null || left.length === 0) return;
    await sleep(100);
  }
  signalAll((await findPatrolProcesses(revocation.tick, patrol.id)) ?? [], 'SIGKILL');
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
