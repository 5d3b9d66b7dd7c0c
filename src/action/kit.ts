import { randomBytes } from 'node:crypto';
import * as core from '@actions/core';

/** Where an annotation points: a file relative to the workspace, and a position in it. */
export interface Annotation {
  file: string;
  startLine?: number;
  startColumn?: number;
  title?: string;
}

/**
 * Everything the Action says to the runner, behind one interface so that `run` can be
 * driven with a fake in tests and with @actions/core in the real step.
 */
export interface ActionKit {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string, at?: Annotation): void;
  error(message: string, at?: Annotation): void;
  startGroup(name: string): void;
  endGroup(): void;
  setOutput(name: string, value: string): void;
  /** For the post step: it reads back the last value saved under `name`. */
  saveState(name: string, value: string): void;
  /** Masks `value` in every later log line. */
  setSecret(value: string): void;
  /** Appends to the job summary; does nothing where there is none (a local run). */
  writeSummary(markdown: string): Promise<void>;
  setFailed(message: string): void;
  /**
   * Prints text the Action did not write (a patrol's output) so that no line of it is
   * taken for a workflow command such as `::add-mask::` or `::set-output`.
   */
  quote(text: string): void;
}

export function coreKit(env: Readonly<Record<string, string | undefined>>): ActionKit {
  return {
    info: (message) => core.info(message),
    debug: (message) => core.debug(message),
    warning: (message, at) => core.warning(message, at),
    error: (message, at) => core.error(message, at),
    startGroup: (name) => core.startGroup(name),
    endGroup: () => core.endGroup(),
    setOutput: (name, value) => core.setOutput(name, value),
    saveState: (name, value) => core.saveState(name, value),
    setSecret: (value) => core.setSecret(value),
    setFailed: (message) => core.setFailed(message),
    async writeSummary(markdown) {
      if (!env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(markdown, true).write();
    },
    quote(text) {
      // The runner ignores commands between these two lines; the token is unguessable, so
      // the quoted text cannot end the quote early.
      const token = randomBytes(16).toString('hex');
      core.info(`::stop-commands::${token}`);
      core.info(text.replace(/\n$/, ''));
      core.info(`::${token}::`);
    },
  };
}
