import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundle the CLI from the current source into a temporary file, so process tests run
 * what the source says (not a stale dist/) and start as fast as the shipped bundle.
 */
export async function bundleCli(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cronwarden-bundle-'));
  const outfile = join(dir, 'cli.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, '../../src/cli/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return outfile;
}
