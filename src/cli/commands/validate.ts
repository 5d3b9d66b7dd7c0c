import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { parse } from '../args.js';
import { CONFIG_HELP, configOption, loadWithWarnings } from '../table-input.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a patrol table and report every problem with its line and column',
  help: `Usage: cronwarden validate [--config PATH]

Checks the patrol table: YAML syntax, known keys, value types, unique ids, time zones,
and that every schedule is a five-field cron expression that can fire. Prints one line
when the table is valid; otherwise one PATH:LINE:COL: message line per problem on stderr.

Options:
${CONFIG_HELP}
  -h, --help          show this help

Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage error.`,

  async run(argv, io) {
    const { values } = parse(argv, configOption);
    const { table } = await loadWithWarnings(values.config, io);
    const enabled = table.patrols.filter((p) => p.enabled).length;
    const disabled = table.patrols.length - enabled;
    io.out(
      `${table.path}: valid, ${plural(table.patrols.length, 'patrol')}` +
        (disabled > 0 ? ` (${disabled} disabled)` : '') +
        `, table "${table.id}", ledger refs/cronwarden/${table.id}`,
    );
    return EXIT.ok;
  },
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
