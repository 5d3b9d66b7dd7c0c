import { resolve } from 'node:path';
import type { Patrol } from '../config/types.js';
import type { PatrolRunner, RunContext, RunResult } from '../tick/types.js';
import { runShell } from './shell.js';

export interface ShellPatrolRunnerOptions {
  /** working-directory is relative to this (the repository root or workspace). */
  baseDir: string;
  /** The environment patrols inherit. */
  env: NodeJS.ProcessEnv;
  outputLimitBytes?: number;
}

/** Runs a patrol's `run` command in a shell, with the Cronwarden variables set. */
export function shellPatrolRunner(options: ShellPatrolRunnerOptions): PatrolRunner {
  return {
    async run(patrol: Patrol, context: RunContext, signal: AbortSignal): Promise<RunResult> {
      const result = await runShell({
        command: patrol.run,
        cwd: resolve(options.baseDir, patrol.workingDirectory ?? '.'),
        env: { ...options.env, ...patrol.env, ...cronwardenVariables(patrol, context) },
        signal,
        ...(patrol.timeoutMs === undefined ? {} : { timeoutMs: patrol.timeoutMs }),
        ...(options.outputLimitBytes === undefined
          ? {}
          : { outputLimitBytes: options.outputLimitBytes }),
      });
      return {
        exitCode: result.exitCode,
        timedOut: result.timedOut,
        aborted: result.aborted,
        durationMs: result.durationMs,
        output: result.output,
        outputTruncated: result.outputTruncated,
        ...(result.error === undefined ? {} : { error: result.error }),
      };
    },
  };
}

/** What a patrol learns of its run; the fencing token lets it fence its own writes. */
export function cronwardenVariables(patrol: Patrol, context: RunContext): Record<string, string> {
  return {
    CRONWARDEN_PATROL: patrol.id,
    CRONWARDEN_SLOT: context.slot,
    CRONWARDEN_FENCING_TOKEN: String(context.fencingToken),
    CRONWARDEN_TICK: context.tick,
    CRONWARDEN_FORCED: context.forced ? 'true' : 'false',
  };
}
