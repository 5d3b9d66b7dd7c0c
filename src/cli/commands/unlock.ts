import { randomBytes } from 'node:crypto';
import { describeHolder } from '../../ledger/lease.js';
import { unlock, type UnlockResult } from '../../ledger/transitions.js';
import { currentProcessHolder } from '../../run/process-identity.js';
import { openStore } from '../../store/open.js';
import { ledgerRef, updateLedger } from '../../tick/ledger-io.js';
import { VERSION } from '../../version.js';
import { InputError, parse, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { CONFIG_HELP, configOption, loadWithWarnings } from '../table-input.js';
import { selectPatrols } from './next.js';
import { READ_STORE_HELP } from './ledger.js';

export const unlockCommand: Command = {
  name: 'unlock',
  summary: "release a patrol's lease by hand, with a reason recorded in the history",
  help: `Usage: cronwarden unlock ID --reason TEXT [--config PATH] [--store SPEC]

Releases whatever lease patrol ID holds, by compare-and-swap, and records the reason and
who did it in the ledger's history. Use it when a holder is known to be dead and you
cannot wait for its lease to expire. If the old holder is in fact still running, it
finds its lease gone, stops, and records an overlap.

Options:
      --reason TEXT   why (required; kept in the history)
${CONFIG_HELP}
${READ_STORE_HELP}
  -h, --help          show this help`,

  async run(argv, io, env) {
    const { values, positionals } = parse(
      argv,
      { ...configOption, store: { type: 'string', short: 's' }, reason: { type: 'string' } },
      1,
    );
    const id = positionals[0];
    if (id === undefined) throw new UsageError('unlock needs the patrol id');
    if (values.reason === undefined || values.reason.trim() === '') {
      throw new UsageError('unlock needs --reason TEXT');
    }
    const { table } = await loadWithWarnings(values.config, io);
    selectPatrols(table.patrols, id, table.path);
    const store = await openStore(values.store, env.cwd, { create: false });
    const ref = ledgerRef(table.id);
    const writer = {
      id: `unlock-${randomBytes(4).toString('hex')}`,
      holder: await currentProcessHolder(),
      version: VERSION,
    };

    const result = await updateLedger<UnlockResult>(store, ref, (snapshot) => {
      if (snapshot.document === null) throw new InputError(`${ref} does not exist yet`);
      const unlocked = unlock(
        snapshot.document,
        id,
        values.reason as string,
        writer,
        snapshot.serverTime,
      );
      return unlocked.kind === 'unlocked'
        ? { write: unlocked.next, value: unlocked }
        : { write: null, value: unlocked };
    });
    if (result.value.kind === 'not-held') {
      io.out(`${id} holds no lease; nothing to unlock.`);
      return EXIT.ok;
    }
    const revoked = result.value.revocation;
    io.out(
      `Unlocked ${id}: lease #${revoked.fencingToken} of ${describeHolder(revoked.holder)} ` +
        `released (reason: ${values.reason}).`,
    );
    return EXIT.ok;
  },
};
