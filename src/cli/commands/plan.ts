import { planSlots } from '../../schedule/index.js';
import { parse, parseInstant, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { json, table, utcTime } from '../output.js';
import { CONFIG_HELP, configOption, loadWithWarnings } from '../table-input.js';
import { selectPatrols, specOf } from './next.js';

export const planCommand: Command = {
  name: 'plan',
  summary: 'show what a tick at --now would run if every cursor stood at --since',
  help: `Usage: cronwarden plan [--config PATH] [--patrol ID] --since ISO --now ISO [--json]

For every patrol with its cursor at --since, shows what a tick at --now would run (due),
what it would report missed under the patrol's catch-up rule and starting deadline, and
the next slot after --now. Reads no ledger and writes nothing.

Options:
${CONFIG_HELP}
  -p, --patrol ID     only this patrol
      --since ISO     the cursor: slots after it are considered
      --now ISO       the tick's time: slots at or before it are considered
      --json          {"patrols":[{"id","enabled","due":[ISO],"missed":[ISO],
                        "missedCount","missedCountIsLowerBound","next"}]}
  -h, --help          show this help

A long outage can miss many slots: "missed" then lists only the most recent ones and
"missedCount" says how many there were in all (see the README, "Catch-up").`,

  async run(argv, io) {
    const { values } = parse(argv, {
      ...configOption,
      patrol: { type: 'string', short: 'p' },
      since: { type: 'string' },
      now: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.since === undefined || values.now === undefined) {
      throw new UsageError('plan needs both --since and --now');
    }
    const since = parseInstant(values.since, '--since');
    const now = parseInstant(values.now, '--now');
    const loaded = await loadWithWarnings(values.config, io);
    const patrols = selectPatrols(loaded.table.patrols, values.patrol, loaded.table.path);

    const planned = patrols.map((patrol) => {
      const plan = planSlots({
        spec: specOf(patrol),
        catchUp: patrol.catchUp,
        maxCatchUp: patrol.maxCatchUp,
        startingDeadlineMs: patrol.startingDeadlineMs,
        cursor: since,
        now,
      });
      const enabled = patrol.enabled;
      return {
        id: patrol.id,
        enabled,
        due: enabled ? plan.due.map((d) => d.toISOString()) : [],
        missed: (enabled ? plan.missed : [...plan.missed, ...plan.due]).map((d) => d.toISOString()),
        missedCount: plan.missedCount + (enabled ? 0 : plan.due.length),
        missedCountIsLowerBound: plan.missedCountIsLowerBound,
        next: plan.next?.toISOString() ?? null,
      };
    });

    if (values.json) {
      io.out(json({ patrols: planned }));
      return EXIT.ok;
    }
    const rows = [['PATROL', 'DUE', 'MISSED', 'NEXT']];
    for (const p of planned) {
      const missed =
        p.missedCount === 0
          ? '-'
          : `${p.missedCount}${p.missedCountIsLowerBound ? '+' : ''}` +
            ` (newest ${utcTime(new Date(p.missed.at(-1) as string))})`;
      rows.push([
        p.enabled ? p.id : `${p.id} (disabled)`,
        p.due.length === 0 ? '-' : p.due.map((d) => utcTime(new Date(d))).join(', '),
        missed,
        p.next === null ? '-' : utcTime(new Date(p.next)),
      ]);
    }
    io.out(`Tick at ${utcTime(now)} with every cursor at ${utcTime(since)}:\n\n${table(rows)}`);
    return EXIT.ok;
  },
};
