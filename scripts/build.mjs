// Builds the committed bundles in dist/: readable (not minified) single-file ES modules,
// so that a reviewer can read what the Action runs and `npx cronwarden` needs no build.
import { build } from 'esbuild';
import { chmodSync, existsSync } from 'node:fs';

// Some bundled dependencies are CommonJS and call require(); an ES module bundle has none.
const requireShim = [
  "import { createRequire as __cronwardenCreateRequire } from 'node:module';",
  'const require = __cronwardenCreateRequire(import.meta.url);',
].join('\n');

const entries = [
  { in: 'src/cli/main.ts', out: 'dist/cli.js', shebang: true },
  { in: 'src/action/main.ts', out: 'dist/index.js' },
  { in: 'src/action/post.ts', out: 'dist/post.js' },
];

for (const entry of entries.filter((e) => existsSync(e.in))) {
  await build({
    entryPoints: [entry.in],
    outfile: entry.out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: false,
    keepNames: true,
    legalComments: 'eof',
    logLevel: 'warning',
    banner: { js: (entry.shebang ? '#!/usr/bin/env node\n' : '') + requireShim },
  });
  // Executable, as git records it, so that running it through npx changes nothing.
  if (entry.shebang) chmodSync(entry.out, 0o755);
}
