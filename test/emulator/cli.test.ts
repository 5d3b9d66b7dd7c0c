import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { FaultSpecError, parseFaultSpec } from '../support/emulator/fault-spec.js';

const CLI = fileURLToPath(new URL('../support/emulator-cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Resolves once the CLI's output so far contains `text` (or matches it). */
function waitForOutput(read: () => string, on: (listener: () => void) => void, text: RegExp) {
  return new Promise<RegExpExecArray>((resolve) => {
    const check = (): void => {
      const m = text.exec(read());
      if (m !== null) {
        resolve(m);
      }
    };
    on(check);
    check();
  });
}

describe('the emulator CLI', () => {
  it('prints its URL and token, logs requests and stops on SIGINT', async () => {
    const args = ['--repo', 'acme/tools', '--token', 'ghs_cli', '--now', '2025-03-01T12:00:00Z'];
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const output = (text: RegExp): Promise<RegExpExecArray> =>
      waitForOutput(
        () => out,
        (listener) => child.stdout.on('data', listener),
        text,
      );

    try {
      const url = (await output(/listening at (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
      const response = await fetch(`${url}/repos/acme/tools`, {
        headers: { authorization: 'token ghs_cli' },
      });
      await output(/GET \/repos\/acme\/tools -> 200 \(cronwarden\[bot\]\)/);
      child.kill('SIGINT');

      expect(response.status).toBe(200);
      expect(response.headers.get('date')).toBe('Sat, 01 Mar 2025 12:00:00 GMT');
      expect(out).toContain('token:        ghs_cli');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('fault specs on the command line', () => {
  it.each([
    [
      'kind=error-after,status=502,method=patch,path=~/git/refs/',
      {
        match: { method: 'PATCH', path: /\/git\/refs\// },
        kind: { type: 'error-after', status: 502 },
      },
    ],
    [
      'kind=stale,age=30000,op=CronwardenReadLedger,times=always',
      {
        match: { operationName: 'CronwardenReadLedger' },
        times: Infinity,
        kind: { type: 'stale', ageMs: 30_000 },
      },
    ],
    [
      'kind=secondary-limit,status=429,retry-after=60',
      { match: {}, kind: { type: 'secondary-limit', status: 429, retryAfterSeconds: 60 } },
    ],
    [
      'kind=latency,ms=250,path=/graphql',
      { match: { path: '/graphql' }, kind: { type: 'latency', ms: 250 } },
    ],
  ])('reads %s', (text, spec) => {
    expect(parseFaultSpec(text)).toEqual(spec);
  });

  it.each([
    'kind=explode',
    'kind=latency',
    'status=500',
    'kind=secondary-limit,status=500',
    'nonsense',
  ])('refuses %s', (text) => {
    expect(() => parseFaultSpec(text)).toThrow(FaultSpecError);
  });
});
