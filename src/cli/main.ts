import { runCli } from './run.js';
import { processOutput } from './output.js';

process.exitCode = await runCli(process.argv.slice(2), processOutput, {
  cwd: process.cwd(),
  now: () => new Date(),
  env: process.env,
});
