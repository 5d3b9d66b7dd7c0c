import { describeHolder } from '../../ledger/lease.js';
import type { LedgerDocument } from '../../ledger/types.js';
import { openStore } from '../../store/open.js';
import { ledgerRef, readLedger } from '../../tick/ledger-io.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { json, table } from '../output.js';
import { CONFIG_HELP, configOption, loadWithWarnings } from '../table-input.js';

/** --store for commands that only read: they never create the repository. */
export const READ_STORE_HELP = `  -s, --store SPEC    where the ledger lives: git:PATH (an existing git repository) or
                      memory: (this process only); default: the git repository of the
                      current directory`;

export const ledgerCommand: Command = {
  name: 'ledger',
  summary: "show the ledger's current state: cursors, leases, fencing tokens, last runs",
  help: `Usage: cronwarden ledger [--config PATH] [--store SPEC] [--json]

Shows the tip of the table's ledger: for each patrol its cursor (every slot at or before
it has been considered), the lease if one is held (holder, fencing token, expiry), the
highest fencing token granted, and the last run.

Options:
${CONFIG_HELP}
${READ_STORE_HELP}
      --json          {"ref","store","tip","ledger"}: the ledger ref, the store, the tip
                      commit id and the document decoded from it (tip and ledger are
                      null before the first tick)
  -h, --help          show this help`,

  async run(argv, io, env) {
    const { values } = parse(argv, {
      ...configOption,
      store: { type: 'string', short: 's' },
      json: { type: 'boolean' },
    });
    const { table: patrolTable } = await loadWithWarnings(values.config, io);
    const store = await openStore(values.store, env.cwd, { create: false });
    const ref = ledgerRef(patrolTable.id);
    const snapshot = await readLedger(store, ref);
    if (values.json) {
      io.out(json({ ref, store: store.description, tip: snapshot.tip, ledger: snapshot.document }));
      return EXIT.ok;
    }
    if (snapshot.document === null) {
      io.out(`${ref} does not exist yet in ${store.description}: no tick has run.`);
      return EXIT.ok;
    }
    io.out(
      `${ref} at ${snapshot.tip?.slice(0, 12)} in ${store.description}\n\n${describe(snapshot.document)}`,
    );
    return EXIT.ok;
  },
};

function describe(doc: LedgerDocument): string {
  const rows = [['PATROL', 'CURSOR', 'TOKEN', 'LEASE', 'LAST RUN']];
  for (const [id, state] of Object.entries(doc.state.patrols)) {
    const lease = state.lease;
    rows.push([
      id,
      state.cursor,
      `#${state.fencingToken}`,
      lease === null
        ? 'free'
        : `#${lease.fencingToken} ${describeHolder(lease.holder)}, expires ${lease.expiresAt}`,
      state.lastRun === null
        ? '-'
        : `${state.lastRun.outcome} ${state.lastRun.slot} (${state.lastRun.durationMs} ms)`,
    ]);
  }
  return table(rows);
}
