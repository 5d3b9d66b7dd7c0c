// `npm run demo`: ticks of examples/cronwarden.yml at chosen instants against a throw-away
// ledger, so a new user sees catch-up, a doubled tick and forbid at work in one command.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
const table = 'examples/cronwarden.yml'; // commands run from the repository root
const scratch = mkdtempSync(join(tmpdir(), 'cronwarden-demo-'));
const store = `git:${join(scratch, 'ledger.git')}`;
// The example's patrols write under $TMPDIR: keep that inside the scratch directory too.
const env = { ...process.env, TMPDIR: scratch };

const reports = join(scratch, 'reports');

function args(command, extra) {
  // Every tick also writes what the bot would post on GitHub, as Markdown files.
  const reporting = command === 'tick' ? ['--report-dir', reports] : [];
  return [cli, command, '--config', table, '--store', store, ...reporting, ...extra];
}

function show(title, explanation, command, extra) {
  const about = explanation === '' ? '' : `${explanation}\n`;
  console.log(`\n=== ${title}\n${about}$ cronwarden ${command} ${extra.join(' ')}\n`);
  try {
    process.stdout.write(
      execFileSync(process.execPath, args(command, extra), { cwd: root, env, encoding: 'utf8' }),
    );
  } catch (error) {
    // A tick whose patrol failed exits 3 and has still printed its report.
    process.stdout.write(error.stdout ?? '');
    process.stderr.write(error.stderr ?? '');
  }
}

function background(extra) {
  const child = spawn(process.execPath, args('tick', extra), {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.on('close', () => resolve(output)));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

try {
  console.log(`Demo ledger: ${store} (deleted at the end)`);

  show(
    'Monday 06:00 UTC: the first tick',
    'The ledger is created and every patrol starts with its cursor at this tick: adding a\n' +
      'patrol never replays its past slots.',
    'tick',
    ['--now', '2026-06-01T06:00:00Z'],
  );

  show(
    'Monday 06:31: a tick, a minute late',
    'weekday-report (06:30), heartbeat (06:30) and sync-mirror (06:15) are due and run.',
    'tick',
    ['--now', '2026-06-01T06:31:10Z'],
  );

  show(
    'Monday 06:31: GitHub fires the same scheduled run twice',
    'The first tick moved the cursors past those slots in the same write that granted the\n' +
      'leases, so the doubled tick finds nothing to run.',
    'tick',
    ['--now', '2026-06-01T06:31:30Z'],
  );

  console.log(
    '\n=== Monday 07:15 and 08:15: a slow run, and forbid\n' +
      'A tick at 07:15 starts sync-mirror, which takes two seconds. While it holds its lease, a\n' +
      'tick for the 08:15 slot arrives: sync-mirror is forbid, so that slot is skipped, not\n' +
      'queued and not run alongside.\n',
  );
  const slow = background(['--now', '2026-06-01T07:15:05Z', '--patrol', 'sync-mirror']);
  await sleep(900);
  show('Monday 08:15, while 07:15 still runs', '', 'tick', ['--now', '2026-06-01T08:15:05Z']);
  console.log('\n--- the 07:15 tick, once its run finished ---\n');
  process.stdout.write(await slow);

  show(
    'Monday 12:05: ticks were dropped for hours',
    'catch-up latest (weekday-report) runs only the newest missed slot; catch-up all\n' +
      '(sync-mirror) runs up to max-catch-up of them in order; catch-up none (heartbeat)\n' +
      'runs only a slot that is still on time. Everything else is reported missed.',
    'tick',
    ['--now', '2026-06-01T12:05:00Z'],
  );

  show('The ledger now', 'Cursors, fencing tokens, leases (all free), last runs.', 'ledger', []);
  show(
    'Its history (newest first)',
    'Every change is a commit; this is the audit log.',
    'history',
    ['--limit', '6'],
  );

  const dashboard = readdirSync(reports)
    .map((name) => readFileSync(join(reports, name), 'utf8'))
    .find((text) => text.includes('<!-- cronwarden:dashboard:'));
  console.log(
    '\n=== The dashboard issue the bot would keep on GitHub\n' +
      '(written by --report-dir; on GitHub the Action posts it as an issue and edits it in place)\n',
  );
  console.log(dashboard ?? '(none written)');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
