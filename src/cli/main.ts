import { constants } from 'node:os';
import { runCli } from './run.js';
import { processOutput } from './output.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

// A tick stops its patrols and records them before it exits; a stopped patrol must never
// keep running under a lease that a later tick would take over.
const stop = new AbortController();
let cancellable = false;
let received: NodeJS.Signals | null = null;
const onSignal = (signal: NodeJS.Signals) => {
  received ??= signal;
  if (!cancellable) process.exit(128 + constants.signals[signal]);
  for (const name of STOP_SIGNALS) process.off(name, onSignal); // a second signal ends it
  stop.abort();
};
for (const name of STOP_SIGNALS) process.on(name, onSignal);

const code = await runCli(process.argv.slice(2), processOutput, {
  cwd: process.cwd(),
  now: () => new Date(),
  env: process.env,
  cancellation: () => {
    cancellable = true;
    return stop.signal;
  },
});
process.exitCode = received === null ? code : 128 + constants.signals[received];
