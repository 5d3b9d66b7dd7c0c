import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The top of the git work tree containing `cwd`, or `cwd` itself outside one. Patrols run
 * from there and the default table is found there, wherever in the repository the command
 * was started, as they would on GitHub (from the workspace root).
 */
export async function repositoryRoot(cwd: string): Promise<string> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--show-toplevel'], {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
    const root = stdout.trim();
    return root === '' ? cwd : root;
  } catch {
    return cwd;
  }
}
