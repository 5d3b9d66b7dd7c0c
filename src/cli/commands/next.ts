import type { Patrol } from '../../config/types.js';
import {
  checkSchedule,
  describeSchedule,
  nextSlots,
  ScheduleError,
  type ScheduleSpec,
} from '../../schedule/index.js';
import { InputError, parse, parseCount, parseInstant, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { json, localTime, utcTime, type Output } from '../output.js';
import { CONFIG_HELP, configOption, loadWithWarnings } from '../table-input.js';

const MAX_COUNT = 1000;

export const nextCommand: Command = {
  name: 'next',
  summary: 'list the next slots of a cron expression, or of the patrols in a table',
  help: `Usage: cronwarden next --schedule EXPR [--timezone ZONE] [--from ISO] [--count N] [--json]
       cronwarden next [--config PATH] [--patrol ID] [--from ISO] [--count N] [--json]

Lists the next N slots strictly after --from, with the schedule in words, in local time
and in UTC. Slots follow Cronwarden's rules, including daylight-saving changes (a slot in
a skipped hour runs at the first valid time after it; a slot in a repeated hour runs once).

Options:
  -s, --schedule EXPR   a five-field cron expression (quote it)
  -z, --timezone ZONE   IANA zone for --schedule (default: UTC)
${CONFIG_HELP}
  -p, --patrol ID       only this patrol of the table
  -f, --from ISO        start after this instant, with Z or an offset (default: now)
  -n, --count N         how many slots (default: 5, at most ${MAX_COUNT})
      --json            one JSON object: {"schedule","timezone","next":[ISO...]} for
                        --schedule, {"patrols":[{"id","schedule","timezone","next"}]} for a
                        table, with "enabled": false on a disabled patrol
  -h, --help            show this help`,

  async run(argv, io, env) {
    const { values } = parse(argv, {
      schedule: { type: 'string', short: 's' },
      timezone: { type: 'string', short: 'z' },
      ...configOption,
      patrol: { type: 'string', short: 'p' },
      from: { type: 'string', short: 'f' },
      count: { type: 'string', short: 'n' },
      json: { type: 'boolean' },
    });
    const from = values.from === undefined ? env.now() : parseInstant(values.from, '--from');
    const count = values.count === undefined ? 5 : parseCount(values.count, '--count', MAX_COUNT);

    if (values.schedule !== undefined) {
      if (values.config !== undefined || values.patrol !== undefined) {
        throw new UsageError('--schedule cannot be combined with --config or --patrol');
      }
      const spec = { expression: values.schedule, timezone: values.timezone ?? 'UTC' };
      checkSpec(spec, io);
      const slots = nextSlots(spec, from, count);
      if (values.json)
        io.out(json({ schedule: spec.expression, timezone: spec.timezone, next: iso(slots) }));
      else io.out(describeSlots(spec, slots));
      return EXIT.ok;
    }

    if (values.timezone !== undefined) throw new UsageError('--timezone goes with --schedule');
    const { table } = await loadWithWarnings(values.config, io);
    const patrols = selectPatrols(table.patrols, values.patrol, table.path);
    const listed = patrols.map((patrol) => ({
      patrol,
      slots: nextSlots(specOf(patrol), from, count),
    }));
    if (values.json) {
      io.out(
        json({
          patrols: listed.map(({ patrol, slots }) => ({
            id: patrol.id,
            schedule: patrol.schedule,
            timezone: patrol.timezone,
            ...(patrol.enabled ? {} : { enabled: false }),
            next: iso(slots),
          })),
        }),
      );
    } else {
      io.out(
        listed
          .map(
            ({ patrol, slots }) =>
              `${patrolHeading(patrol)}\n${describeSlots(specOf(patrol), slots)}`,
          )
          .join('\n\n'),
      );
    }
    return EXIT.ok;
  },
};

/** A disabled patrol keeps its schedule, but no tick runs it: the listing must say so. */
function patrolHeading(patrol: Patrol): string {
  return patrol.enabled ? patrol.id : `${patrol.id} (disabled: no tick runs these slots)`;
}

export function specOf(patrol: Patrol): ScheduleSpec {
  return { expression: patrol.schedule, timezone: patrol.timezone };
}

export function selectPatrols(patrols: Patrol[], id: string | undefined, path: string): Patrol[] {
  if (id === undefined) return patrols;
  const found = patrols.filter((p) => p.id === id);
  if (found.length === 0) {
    const known = patrols.map((p) => p.id).join(', ');
    throw new InputError(`patrol "${id}" is not in ${path} (patrols: ${known})`);
  }
  return found;
}

function checkSpec(spec: ScheduleSpec, io: Output): void {
  try {
    for (const warning of checkSchedule(spec).warnings) io.err(`warning: ${warning}`);
  } catch (error: unknown) {
    if (error instanceof ScheduleError) throw new InputError(error.message);
    throw error;
  }
}

function iso(slots: Date[]): string[] {
  return slots.map((slot) => slot.toISOString());
}

function describeSlots(spec: ScheduleSpec, slots: Date[]): string {
  const header = `  ${spec.expression} (${spec.timezone}): ${describeSchedule(spec.expression)}`;
  if (slots.length === 0) return `${header}\n    no slot found`;
  const lines = slots.map((slot) => `    ${localTime(slot, spec.timezone)}   ${utcTime(slot)}`);
  return [header, ...lines].join('\n');
}
