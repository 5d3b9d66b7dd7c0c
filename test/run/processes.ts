import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether `pid` is a running process: absent and zombie (exited) processes are not. */
export async function isRunning(pid: number): Promise<boolean> {
  if (process.platform !== 'linux') {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Polls `condition` until it holds; fails the test after `limitMs`. */
export async function eventually(condition: () => Promise<boolean>, limitMs = 10_000) {
  for (let waited = 0; waited < limitMs; waited += 20) {
    if (await condition()) return;
    await sleep(20);
  }
  throw new Error('the condition never held');
}

/** Kills `pid` if it still runs, for clean-up after a test. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
