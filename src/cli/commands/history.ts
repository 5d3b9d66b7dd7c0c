import { decodeLedger } from '../../ledger/document.js';
import type { LedgerDocument, LedgerEvent } from '../../ledger/types.js';
import { openStore } from '../../store/open.js';
import type { LedgerStore } from '../../store/types.js';
import { ledgerRef } from '../../tick/ledger-io.js';
import { parse, parseCount } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { json } from '../output.js';
import { CONFIG_HELP, configOption, loadWithWarnings } from '../table-input.js';
import { READ_STORE_HELP } from './ledger.js';
import { selectPatrols } from './next.js';

/**
 * Commits read at most for one listing. A filtered listing reads past the commits it does
 * not show; this bounds that read on a long ledger where the patrol is rare or absent.
 */
const SCAN_LIMIT = 100_000;
const SCAN_LIMIT_SHOWN = SCAN_LIMIT.toLocaleString('en-US');

export const historyCommand: Command = {
  name: 'history',
  summary: "list the ledger's transitions, newest first, from the ref's commit history",
  help: `Usage: cronwarden history [--config PATH] [--store SPEC] [--patrol ID] [--limit N] [--json]

Every change to the ledger is a commit whose parent is the previous tip, so the ref's
history is the audit log: claims, grants, takeovers, skips, misses, releases, overlaps
and unlocks, with who wrote them and when.

Options:
${CONFIG_HELP}
${READ_STORE_HELP}
  -p, --patrol ID     only events of this patrol
  -n, --limit N       show the newest N entries (default 100); with --patrol, the newest
                      N that touch the patrol. At most ${SCAN_LIMIT_SHOWN} commits are read.
      --json          {"ref","entries":[{"commit","at","tick","writer","events":[...]}]}
  -h, --help          show this help`,

  async run(argv, io, env) {
    const { values } = parse(argv, {
      ...configOption,
      store: { type: 'string', short: 's' },
      patrol: { type: 'string', short: 'p' },
      limit: { type: 'string', short: 'n' },
      json: { type: 'boolean' },
    });
    const limit = values.limit === undefined ? 100 : parseCount(values.limit, '--limit', 100_000);
    const { table } = await loadWithWarnings(values.config, io);
    if (values.patrol !== undefined) selectPatrols(table.patrols, values.patrol, table.path);
    const store = await openStore(values.store, env.cwd, { create: false });
    const ref = ledgerRef(table.id);

    const { entries, scanned } = await listEntries(store, ref, table.id, values.patrol, limit);
    if (entries.length < limit && scanned >= SCAN_LIMIT) {
      io.err(`note: stopped after reading ${SCAN_LIMIT} commits of ${ref}`);
    }

    if (values.json) {
      io.out(json({ ref, entries }));
    } else if (entries.length === 0) {
      io.out(`${ref}: no history${values.patrol ? ` for ${values.patrol}` : ''}.`);
    } else {
      for (const entry of entries) {
        io.out(`${entry.at}  ${entry.commit.slice(0, 10)}  tick ${entry.tick}`);
        for (const event of entry.events) io.out(`    ${describeEvent(event)}`);
      }
    }
    return EXIT.ok;
  },
};

interface HistoryEntry {
  commit: string;
  at: string;
  tick: string;
  writer: LedgerDocument['writer'];
  events: LedgerEvent[];
}

/** The newest `limit` commits with events to show, and how many commits were read. */
async function listEntries(
  store: LedgerStore,
  ref: string,
  tableId: string,
  patrol: string | undefined,
  limit: number,
): Promise<{ entries: HistoryEntry[]; scanned: number }> {
  const entries: HistoryEntry[] = [];
  let scanned = 0;
  for await (const commit of store.history(ref, { limit: SCAN_LIMIT })) {
    scanned += 1;
    const doc = decodeLedger(ref, commit.sha, commit.message, tableId);
    const events = doc.events.filter(
      (e) => patrol === undefined || ('patrol' in e && e.patrol === patrol),
    );
    if (events.length === 0) continue;

    const { writer } = doc;
    entries.push({ commit: commit.sha, at: writer.at, tick: writer.tick, writer, events });
    if (entries.length >= limit) break;
  }
  return { entries, scanned };
}

export function describeEvent(event: LedgerEvent): string {
  switch (event.type) {
    case 'created':
      return 'created the ledger';
    case 'retired':
      return `${event.patrol}: gone from the table; starts afresh if it returns`;
    case 'first-seen':
      return `${event.patrol}: first seen; cursor starts at ${event.cursor}`;
    case 'claimed':
      return `${event.patrol}: claimed ${event.slots.join(', ')}${event.forced ? ' (forced)' : ''}`;
    case 'missed':
      return `${event.patrol}: missed ${event.count} slot(s), newest ${event.newest} (${event.reason})`;
    case 'granted':
      if (!event.leased) return `${event.patrol}: run #${event.fencingToken} (allow: no lease)`;
      return (
        `${event.patrol}: granted lease #${event.fencingToken}, expires ${event.expiresAt}` +
        (event.takeover
          ? `, taking over #${event.takeover.fencingToken} (${event.takeover.reason})`
          : '')
      );
    case 'skipped':
      return `${event.patrol}: skipped ${event.slot}; lease #${event.fencingToken} is held`;
    case 'renewed':
      return `${event.patrol}: renewed, expires ${event.expiresAt}`;
    case 'released':
      return (
        `${event.patrol}: released #${event.run.fencingToken} after ${event.run.outcome} ` +
        `(exit ${event.run.exitCode ?? '-'}, ${event.run.durationMs} ms)`
      );
    case 'overlap':
      return (
        `${event.patrol}: OVERLAP: run #${event.run.fencingToken} found its lease gone at release` +
        (event.revokedBy ? ` (${event.revokedBy.reason} by ${event.revokedBy.by})` : '')
      );
    case 'unlocked':
      return `${event.patrol}: unlocked #${event.revocation.fencingToken}: ${event.reason}`;
  }
}
