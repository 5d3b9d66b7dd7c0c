import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { runShell } from '../../src/run/shell.js';
import type { ShellRunOptions } from '../../src/run/shell.js';
import { eventually, isRunning, killQuietly } from './processes.js';

let temp: string;
const strays: number[] = [];

beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'cronwarden-shell-'));
});

afterEach(async () => {
  vi.unstubAllEnvs();
  strays.splice(0).forEach(killQuietly);
  await rm(temp, { recursive: true, force: true });
});

function run(command: string, options: Partial<ShellRunOptions> = {}) {
  return runShell({ command, cwd: temp, env: { PATH: process.env.PATH }, ...options });
}

/** The pids a command printed, one per line of its output. */
function printedPids(output: string): number[] {
  const pids = output
    .split('\n')
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
  strays.push(...pids);
  return pids;
}

async function expectAllGone(pids: number[]): Promise<void> {
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) expect(await isRunning(pid)).toBe(false);
}

describe('runShell', () => {
  it.each([
    ['exit 0', 0],
    ['exit 3', 3],
    ['false', 1],
    ['exit 255', 255],
  ])('reports the exit code of %j as %i', async (command, exitCode) => {
    expect(await run(command)).toMatchObject({
      exitCode,
      signal: null,
      timedOut: false,
      aborted: false,
    });
  });

  it('reports a command that dies by a signal', async () => {
    expect(await run('kill -USR1 $$')).toMatchObject({ exitCode: null, signal: 'SIGUSR1' });
  });

  it('passes exactly the environment it is given', async () => {
    vi.stubEnv('CRONWARDEN_RUNNER_ONLY', 'leaked');

    const result = await run(
      'printf "%s|%s|%s" "$GREETING" "${SKIPPED-unset}" "${CRONWARDEN_RUNNER_ONLY-unset}"',
      {
        env: { PATH: process.env.PATH, GREETING: 'hello there', SKIPPED: undefined },
      },
    );

    expect(result.output).toBe('hello there|unset|unset');
  });

  it('runs in the working directory it is given', async () => {
    expect((await run('pwd -P')).output).toBe(`${await realpath(temp)}\n`);
  });

  it('gives the command no input', async () => {
    expect(await run('cat; echo "read $?"')).toMatchObject({ exitCode: 0, output: 'read 0\n' });
  });

  it('interleaves stdout and stderr as they arrive', async () => {
    const result = await run('echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three');

    expect(result.output).toBe('one\ntwo\nthree\n');
  });

  it('runs bash where bash is on the PATH', async () => {
    expect((await run('echo "${BASH_VERSION:+bash}"')).output).toBe('bash\n');
  });

  it('falls back to sh when the PATH has no bash', async () => {
    const shell = execFileSync('sh', ['-c', 'command -v sh']).toString().trim();
    const bin = path.join(temp, 'bin');
    await mkdir(bin);
    await symlink(shell, path.join(bin, 'sh'));

    const result = await run('echo "$0"', { env: { PATH: bin } });

    expect(result.output).toBe(`${path.join(bin, 'sh')}\n`);
  });

  describe('output', () => {
    it('keeps everything under the limit', async () => {
      const result = await run('printf "%s" "short"', { outputLimitBytes: 100 });

      expect(result).toMatchObject({ output: 'short', outputBytes: 5, outputTruncated: false });
    });

    it('keeps the tail over the limit and counts every byte', async () => {
      const command = 'head -c 300000 /dev/zero | tr "\\0" a; printf END';

      const result = await run(command, { outputLimitBytes: 1000 });

      expect(result).toMatchObject({ outputBytes: 300_003, outputTruncated: true });
      expect(result.output).toBe(`${'a'.repeat(997)}END`);
    });

    it('does not start the tail inside a character', async () => {
      const result = await run('printf "ééééé"', { outputLimitBytes: 5 });

      expect(result).toMatchObject({ output: 'éé', outputBytes: 10, outputTruncated: true });
    });
  });

  describe('stopping', () => {
    it('kills the command and its children at the timeout', async () => {
      const command = 'sleep 300 & echo $!; sleep 300 & echo $!; wait';

      const result = await run(command, { timeoutMs: 1000, killGraceMs: 2000 });

      expect(result).toMatchObject({ timedOut: true, aborted: false, exitCode: null });
      expect(result.signal).toBe('SIGTERM');
      await expectAllGone(printedPids(result.output));
    });

    it('escalates to SIGKILL when the patrol ignores SIGTERM', async () => {
      const command = "trap '' TERM; sleep 300 & echo $!; while :; do sleep 0.05; done";

      const result = await run(command, { timeoutMs: 1000, killGraceMs: 300 });

      expect(result).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
      await expectAllGone(printedPids(result.output));
    });

    it('stops the command and its children when the signal aborts', async () => {
      const ready = path.join(temp, 'ready');
      const controller = new AbortController();
      const command = `sleep 300 & echo $!; touch ${ready}; wait`;

      const running = run(command, { signal: controller.signal });
      await eventually(async () => existsSync(ready));
      controller.abort();
      const result = await running;

      expect(result).toMatchObject({ aborted: true, timedOut: false, signal: 'SIGTERM' });
      await expectAllGone(printedPids(result.output));
    });

    it('does not start a command whose signal has already aborted', async () => {
      const controller = new AbortController();
      controller.abort();

      const result = await run(`touch ${path.join(temp, 'ran')}`, { signal: controller.signal });

      expect(result).toMatchObject({ aborted: true, exitCode: null, signal: null });
      expect(result.error).toBeUndefined();
      expect(existsSync(path.join(temp, 'ran'))).toBe(false);
    });
  });

  describe('stragglers', () => {
    it('kills children left behind when the command ends', async () => {
      const result = await run('sleep 300 >/dev/null 2>&1 & echo $!; exit 0');

      expect(result).toMatchObject({ exitCode: 0, timedOut: false });
      await expectAllGone(printedPids(result.output));
    });

    it('kills children that ignore SIGTERM once the grace period ends', async () => {
      const straggler = "(trap '' TERM; touch ignoring; exec sleep 300) >/dev/null 2>&1 &";
      const command = `${straggler} echo $!; until [ -e ignoring ]; do sleep 0.01; done`;

      const result = await run(command, { killGraceMs: 200 });

      expect(result.exitCode).toBe(0);
      await expectAllGone(printedPids(result.output));
    });

    it('does not wait for a child that holds the output pipe open', async () => {
      const result = await run('sleep 300 & echo $!; echo done');

      expect(result).toMatchObject({ exitCode: 0, timedOut: false });
      expect(result.output.endsWith('done\n')).toBe(true);
      await expectAllGone(printedPids(result.output));
    });

    it.skipIf(!existsSync('/usr/bin/setsid') && !existsSync('/bin/setsid'))(
      'resolves even when an escaped grandchild keeps the output pipe open',
      async () => {
        // The command ends only once the grandchild has left the group, so the runner
        // cannot reach it first.
        const escape = "setsid sh -c 'echo $$; touch escaped; exec sleep 300' &";
        const result = await run(`${escape} until [ -e escaped ]; do sleep 0.01; done; echo done`);

        expect(result).toMatchObject({ exitCode: 0, timedOut: false });
        const [escaped] = printedPids(result.output);
        // It left the patrol's group, so it was out of reach; the test ends it.
        expect(await isRunning(escaped as number)).toBe(true);
      },
    );
  });

  describe('a command that cannot start', () => {
    it('resolves with an error naming the missing working directory', async () => {
      const missing = path.join(temp, 'no', 'such', 'dir');

      const result = await run('echo hi', { cwd: missing });

      expect(result).toMatchObject({ exitCode: null, signal: null, timedOut: false });
      expect(result.error).toContain(missing);
      expect(result.output).toContain(missing);
    });
  });
});
