import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';

import { afterEach, describe, expect, it } from 'vitest';

import {
  currentProcessHolder,
  parseProcStat,
  probeProcessHolder,
  processHolderFor,
} from '../../src/run/process-identity.js';
import type { ProcessIdentityOptions } from '../../src/run/process-identity.js';
import { eventually, isRunning, killQuietly } from './processes.js';

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.pid !== undefined) killQuietly(child.pid);
  }
});

function sleeper(): ChildProcess & { pid: number } {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error('sleep did not start');
  return child as ChildProcess & { pid: number };
}

const linuxOnly = process.platform !== 'linux';

/** Both ways of reading start times: /proc where the OS has it, and ps everywhere. */
const readers: [string, ProcessIdentityOptions][] = [
  ['ps', { platform: 'darwin' }],
  ...(linuxOnly ? [] : ([['/proc', { platform: 'linux' }]] as [string, ProcessIdentityOptions][])),
];

describe.each(readers)('process identity read through %s', (_reader, options) => {
  it('describes this process on this host', async () => {
    const holder = await currentProcessHolder(options);

    expect(holder).toMatchObject({ kind: 'process', pid: process.pid });
    expect(holder.host.startsWith(hostname())).toBe(true);
    expect(holder.startTime).not.toBe('');
    expect(await currentProcessHolder(options)).toEqual(holder);
  });

  it('finds this process alive', async () => {
    expect(await probeProcessHolder(await currentProcessHolder(options), options)).toBe('alive');
  });

  it('finds a child alive, and gone once it has exited', async () => {
    const child = sleeper();
    const holder = await processHolderFor(child.pid, options);
    if (holder === null) throw new Error('no identity for a running child');
    expect(await probeProcessHolder(holder, options)).toBe('alive');

    child.kill('SIGKILL');
    await once(child, 'exit');

    expect(await probeProcessHolder(holder, options)).toBe('gone');
    expect(await processHolderFor(child.pid, options)).toBeNull();
  });

  it('finds a live pid with another start time gone: the pid was reused', async () => {
    const holder = await currentProcessHolder(options);

    const forged = { ...holder, startTime: `${holder.startTime}0` };

    expect(await probeProcessHolder(forged, options)).toBe('gone');
  });

  it('cannot tell for a holder on another host', async () => {
    const holder = await currentProcessHolder(options);

    const elsewhere = { ...holder, host: `${holder.host}-elsewhere`, startTime: 'anything' };

    expect(await probeProcessHolder(elsewhere, options)).toBe('unknown');
  });

  it.each([0, -1, 1.5, Number.NaN])('cannot tell for the pid %s', async (pid) => {
    const holder = await currentProcessHolder(options);

    expect(await probeProcessHolder({ ...holder, pid }, options)).toBe('unknown');
  });

  it('finds a zombie gone: it has exited, only its status is left', async () => {
    // The inner sleep's parent execs into a sleep that never collects it.
    const parent = spawn('bash', ['-c', 'sleep 0 & echo $!; exec sleep 300'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(parent);
    const [line] = (await once(parent.stdout, 'data')) as [Buffer];
    const zombie = Number(line.toString().trim());
    await eventually(async () => !(await isRunning(zombie)));

    expect(await processHolderFor(zombie, options)).toBeNull();
    const holder = await currentProcessHolder(options);
    expect(await probeProcessHolder({ ...holder, pid: zombie }, options)).toBe('gone');
  });
});

describe.skipIf(linuxOnly)('process identity on Linux', () => {
  const linux: ProcessIdentityOptions = { platform: 'linux' };

  it('records the boot id', async () => {
    expect((await currentProcessHolder(linux)).bootId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('finds a holder from an earlier boot of this host gone', async () => {
    const holder = await currentProcessHolder(linux);

    const earlierBoot = { ...holder, bootId: '00000000-0000-4000-8000-000000000000' };

    expect(await probeProcessHolder(earlierBoot, linux)).toBe('gone');
  });

  it('cannot tell when only one side knows its boot id', async () => {
    const holder = await currentProcessHolder(linux);
    const withoutBoot = { ...holder };
    delete withoutBoot.bootId;

    expect(await probeProcessHolder(withoutBoot, linux)).toBe('unknown');
  });
});

describe('parseProcStat', () => {
  const tail = (state: string, group: number, start: number) =>
    `${state} 1 ${group} 77 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 ${start} 9000 200 ` +
    '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n';

  it.each([
    ['a plain name', `42 (sleep) ${tail('S', 42, 123456)}`, 'S', 42, '123456'],
    ['a name with spaces', `42 (my patrol) ${tail('R', 40, 99)}`, 'R', 40, '99'],
    ['a name with parentheses', `42 (a) b) (c) ${tail('Z', 7, 5)}`, 'Z', 7, '5'],
    ['a name that looks like fields', `42 (S 1 2 3) ${tail('D', 8, 6)}`, 'D', 8, '6'],
  ])('reads %s', (_name, text, state, processGroup, startTicks) => {
    expect(parseProcStat(text)).toEqual({ state, processGroup, startTicks });
  });

  it.each([['no parentheses'], ['42 (short) S 1 2']])('refuses %j', (text) => {
    expect(parseProcStat(text)).toBeNull();
  });
});
