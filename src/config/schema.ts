import path from 'node:path';
import { z } from 'zod';

import { MAX_CATCH_UP_LIMIT } from '../schedule/index.js';

import { DURATION_FORM, DURATION_PATTERN, DurationError, parseDuration } from './duration.js';

/*
 * The shape of the YAML file, keys as the user writes them. This one schema validates the
 * table and generates the JSON Schema editors use, so the two cannot disagree. Checks that
 * need the schedule module (cron expressions, zone names) run after it, in checks.ts.
 */

const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SLUG_FORM =
  "a slug: 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit";
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** GitHub ends a workflow run after 35 days; no patrol can usefully wait or run longer. */
export const LONGEST_DURATION_MS = 35 * 86_400_000;

/** How a value the user wrote reads in a message. */
export function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'an empty value';
  if (typeof input === 'string') return JSON.stringify(input);
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return String(input);
}

function expecting(what: string) {
  return (issue: { input?: unknown }) => `${what}; got ${describeInput(issue.input)}`;
}

function slug(key: string) {
  return z
    .string({ error: expecting(`\`${key}\` must be ${SLUG_FORM}`) })
    .regex(SLUG, { error: expecting(`\`${key}\` must be ${SLUG_FORM}`) });
}

function duration(key: string) {
  const form = expecting(`\`${key}\` must be ${DURATION_FORM}`);
  return z
    .string({ error: form })
    .regex(DURATION_PATTERN, { error: form, abort: true })
    .superRefine((text, context) => {
      const problem = durationProblem(text);
      if (problem !== undefined) {
        context.addIssue({ code: 'custom', message: `\`${key}\`: ${problem}`, input: text });
      }
    });
}

/** What is wrong with a duration of the accepted form: zero, or longer than GitHub allows. */
function durationProblem(text: string): string | undefined {
  try {
    if (parseDuration(text) <= LONGEST_DURATION_MS) return undefined;
    return `${JSON.stringify(text)} is longer than 35d, the longest a GitHub workflow run lives`;
  } catch (error: unknown) {
    if (error instanceof DurationError) return error.message;
    throw error;
  }
}

function zoneName(key: string) {
  return z.string({
    error: expecting(`\`${key}\` must be an IANA time zone name such as Europe/Berlin or UTC`),
  });
}

function nonBlank(key: string, what: string) {
  const blank = `\`${key}\` is blank; it must be ${what}`;
  return z
    .string({ error: expecting(`\`${key}\` must be ${what}`) })
    .min(1, { error: blank, abort: true })
    .refine((text) => text.trim() !== '', { error: blank });
}

function oneOf<const T extends readonly [string, ...string[]]>(key: string, values: T) {
  const list = `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
  return z.enum(values, { error: expecting(`\`${key}\` must be ${list}`) });
}

function envValueMessage(issue: { input?: unknown; path?: PropertyKey[] }): string {
  const name = String(issue.path?.at(-1) ?? '');
  return (
    `environment variable ${name} must be a string; put the value in quotes so YAML keeps ` +
    `it exactly as written; got ${describeInput(issue.input)}`
  );
}

function isInsideRepository(dir: string): boolean {
  if (dir.trim() === '' || path.posix.isAbsolute(dir) || path.win32.isAbsolute(dir)) return false;
  const normal = path.posix.normalize(dir.replaceAll('\\', '/'));
  return normal !== '..' && !normal.startsWith('../');
}

function wholeNumber(key: string, most = Number.MAX_SAFE_INTEGER) {
  const range = most === Number.MAX_SAFE_INTEGER ? 'of at least 1' : `from 1 to ${most}`;
  const form = expecting(`\`${key}\` must be a whole number ${range}`);
  return z
    .number({ error: form })
    .int({ error: form })
    .min(1, { error: form })
    .max(most, { error: form });
}

/**
 * A branch name git accepts (`git check-ref-format --branch`, the common subset). The bot
 * force-pushes the pull request branch, so the usual default branches are refused outright;
 * the real default branch is only known on GitHub and is checked there.
 */
function isBranchName(name: string): boolean {
  return (
    /^[A-Za-z0-9._/-]+$/.test(name) && !/^[-/]|[/.]$|\.\.|\/\/|(^|\/)\.|\.lock(\/|$)/.test(name)
  );
}

const PROTECTED_BRANCHES = new Set(['main', 'master']);

function branch(key: string) {
  const form = expecting(`\`${key}\` must be a git branch name such as cronwarden/rotate-logs`);
  return z.string({ error: form }).refine(isBranchName, { error: form, abort: true });
}

const pullRequestSchema = z
  .strictObject(
    {
      branch: branch('branch')
        .refine((name) => !PROTECTED_BRANCHES.has(name), {
          error: expecting(
            '`branch` is force-pushed by the bot, so it must not be a default branch',
          ),
        })
        .optional()
        .meta({
          title: 'Branch',
          description:
            'Branch the bot commits the changed files to and force-pushes; never the ' +
            'default branch. Defaults to cronwarden/<patrol id>.',
          examples: ['cronwarden/rotate-logs'],
        }),
      title: nonBlank('title', 'a pull request title').optional().meta({
        title: 'Title',
        description: 'Title of the pull request; defaults to "Changes from patrol <id>".',
      }),
      body: z
        .string({ error: expecting('`body` must be text') })
        .default('')
        .meta({ title: 'Body', description: 'Text at the top of the pull request.' }),
      labels: z
        .array(
          z
            .string({ error: expecting('each label must be a name of 1-50 characters') })
            .min(1, { error: expecting('each label must be a name of 1-50 characters') })
            .max(50, { error: expecting('each label must be a name of 1-50 characters') }),
          { error: expecting('`labels` must be a list of label names') },
        )
        .default([])
        .meta({ title: 'Labels', description: 'Labels put on the pull request.' }),
      base: branch('base').optional().meta({
        title: 'Base branch',
        description: "Branch the pull request targets; defaults to the repository's default.",
      }),
    },
    { error: expecting('`pull-request` must be a mapping') },
  )
  .refine((spec) => spec.branch === undefined || spec.branch !== spec.base, {
    path: ['branch'],
    error: '`branch` must differ from `base`: the bot force-pushes it',
  })
  .meta({
    title: 'Pull request',
    description:
      'When set, files the patrol changes in the workspace are proposed in one pull ' +
      'request, kept up to date by later runs.',
  });

const WORKING_DIRECTORY_FORM =
  '`working-directory` must be a relative path that stays inside the repository';

export const patrolSchema = z
  .strictObject(
    {
      id: slug('id').meta({
        title: 'Patrol id',
        description:
          'Names the patrol in the ledger, logs and issues; unique in the table. ' +
          "1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit.",
        examples: ['rotate-logs'],
      }),
      schedule: nonBlank('schedule', 'a five-field cron expression such as "30 2 * * *"').meta({
        title: 'Schedule',
        description:
          'Five-field cron expression (minute hour day-of-month month day-of-week), evaluated ' +
          "in the patrol's time zone. GitHub cannot tick more often than every 5 minutes.",
        examples: ['30 2 * * *', '*/15 * * * 1-5'],
      }),
      timezone: zoneName('timezone')
        .optional()
        .meta({
          title: 'Time zone',
          description: "IANA zone name the schedule is read in; defaults to the table's zone.",
          examples: ['Europe/Berlin', 'America/Chicago', 'UTC'],
        }),
      run: nonBlank('run', 'a shell command').meta({
        title: 'Command',
        description: 'Shell command the patrol runs, with bash (sh where bash is missing).',
        examples: ['./scripts/rotate-logs.sh'],
      }),
      concurrency: oneOf('concurrency', ['allow', 'forbid', 'replace'] as const)
        .default('forbid')
        .meta({
          title: 'Concurrency policy',
          description:
            'What happens at a slot while the previous run still holds the lease: allow ' +
            '(run anyway), forbid (skip this slot) or replace (stop the old run, start anew).',
        }),
      timeout: duration('timeout')
        .optional()
        .meta({
          title: 'Timeout',
          description:
            'Longest one run may take, e.g. 90s, 50m, 1h30m; no fixed limit when absent. ' +
            'Jobs on GitHub-hosted runners stop at 6h whatever this says.',
          examples: ['50m'],
        }),
      'catch-up': oneOf('catch-up', ['latest', 'all', 'none'] as const)
        .default('latest')
        .meta({
          title: 'Catch-up',
          description:
            'Which slots missed since the last tick run: latest (the most recent, once), ' +
            'all (each in order, up to max-catch-up) or none.',
        }),
      'max-catch-up': wholeNumber('max-catch-up', MAX_CATCH_UP_LIMIT).default(10).meta({
        title: 'Catch-up limit',
        description: 'With catch-up `all`: at most this many missed slots run in one tick.',
      }),
      'starting-deadline': duration('starting-deadline')
        .optional()
        .meta({
          title: 'Starting deadline',
          description: 'Slots older than this when a tick finds them are dropped as missed.',
          examples: ['2h'],
        }),
      enabled: z
        .boolean({ error: expecting('`enabled` must be true or false') })
        .default(true)
        .meta({
          title: 'Enabled',
          description: 'A disabled patrol stays in the table but never runs.',
        }),
      env: z
        .record(
          z.string().regex(ENV_NAME, {
            error: expecting(
              "environment variable names must be letters, digits and '_', not starting " +
                'with a digit',
            ),
          }),
          z.string({ error: envValueMessage }),
          { error: expecting('`env` must be a mapping of variable names to strings') },
        )
        .default({})
        .meta({
          title: 'Environment',
          description:
            "Variables added to the command's environment. Values must be strings: quote " +
            'numbers and booleans ("8080", "true") so YAML keeps them exactly as written.',
          examples: [{ LOG_DIR: 'var/log' }],
        }),
      'working-directory': z
        .string({ error: expecting(WORKING_DIRECTORY_FORM) })
        .refine(isInsideRepository, { error: expecting(WORKING_DIRECTORY_FORM) })
        .optional()
        .meta({
          title: 'Working directory',
          description: 'Directory the command runs in, relative to the repository root.',
          examples: ['tools/maintenance'],
        }),
      'failure-threshold': wholeNumber('failure-threshold').default(1).meta({
        title: 'Failure threshold',
        description: 'Consecutive failed runs before the bot opens a failure issue.',
      }),
      realert: duration('realert')
        .default('24h')
        .meta({
          title: 'Re-alert interval',
          description:
            'While a patrol keeps failing, the bot adds at most one "still failing" comment ' +
            'to its issue per this interval.',
          examples: ['12h'],
        }),
      'pull-request': pullRequestSchema.optional(),
    },
    {
      error: expecting('each patrol must be a mapping with at least `id`, `schedule` and `run`'),
    },
  )
  .meta({ title: 'Patrol', description: 'One scheduled job.' });

export const tableSchema = z
  .strictObject(
    {
      id: slug('id')
        .default('default')
        .meta({
          title: 'Table id',
          description:
            "Names the ledger, the git ref refs/cronwarden/<id> that holds this table's " +
            'leases and cursors. Two tables sharing a lock repository need different ids.',
          examples: ['nightly-jobs'],
        }),
      timezone: zoneName('timezone')
        .default('UTC')
        .meta({
          title: 'Default time zone',
          description: 'IANA zone name for patrols that do not name their own.',
          examples: ['Europe/Berlin'],
        }),
      patrols: z
        .array(patrolSchema, { error: expecting('`patrols` must be a list of patrols') })
        .min(1, { error: '`patrols` is empty; list at least one patrol' })
        .meta({ title: 'Patrols', description: 'The scheduled jobs of this table.' }),
    },
    { error: expecting('a patrol table must be a mapping with a `patrols` list') },
  )
  .meta({
    title: 'Cronwarden patrol table',
    description: 'Scheduled jobs ("patrols") that Cronwarden runs without overlap.',
  });

export type RawTable = z.output<typeof tableSchema>;
export type RawPatrol = z.output<typeof patrolSchema>;

export const TABLE_KEYS: readonly string[] = Object.keys(tableSchema.shape);
export const PATROL_KEYS: readonly string[] = Object.keys(patrolSchema.shape);
export const PULL_REQUEST_KEYS: readonly string[] = Object.keys(pullRequestSchema.shape);

/** The JSON Schema of the table file (draft-07, which YAML editors support most widely). */
export const tableJsonSchema: object = z.toJSONSchema(tableSchema, {
  io: 'input',
  target: 'draft-7',
});
