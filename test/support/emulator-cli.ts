/**
 * `npm run emulator`: the GitHub API emulator as a standalone server for trying
 * Cronwarden by hand. It serves one repository and one token, prints how to reach them,
 * logs every request, and stops on Ctrl+C.
 */
import { parseArgs } from 'node:util';

import { startEmulator } from './emulator/index.js';
import type { Access, Permission, RequestLogEntry, TokenOptions } from './emulator/index.js';
import { FaultSpecError, parseFaultSpec } from './emulator/fault-spec.js';

const HELP = `Usage: npm run emulator -- [options]

  --port N               port on 127.0.0.1 (default 0: any free port)
  --repo OWNER/NAME      repository to create (default octo-org/patrols; repeatable)
  --default-branch NAME  default branch of the repositories (default main)
  --empty                create the repositories without any commit
  --token TOKEN          token to accept (default ghs_emulator)
  --login LOGIN          the token's account (default cronwarden[bot])
  --type Bot|User        the account's type (default Bot: 1,000 requests an hour)
  --permissions LIST     e.g. contents=write,issues=read (default: write on all)
  --can-create-labels    let unknown labels on issues be created instead of refused
  --rate-limit N         requests per hour for the token
  --now ISO-DATE         freeze the server clock at this instant
  --fault SPEC           inject a fault (repeatable), e.g.
                         kind=error-after,status=502,method=PATCH,path=~/git/refs/
  --quiet                do not log requests
`;

const PERMISSIONS: Permission[] = ['contents', 'issues', 'pull_requests', 'actions', 'metadata'];

class UsageError extends Error {
  override name = 'UsageError';
}

function parsePermissions(list: string | undefined): TokenOptions['permissions'] {
  if (list === undefined) {
    return {
      contents: 'write',
      issues: 'write',
      pull_requests: 'write',
      actions: 'write',
      metadata: 'read',
    };
  }
  const out: TokenOptions['permissions'] = {};
  for (const pair of list.split(',').filter((p) => p.trim() !== '')) {
    const [scope, access] = pair.split('=').map((p) => p.trim());
    if (!PERMISSIONS.includes(scope as Permission) || (access !== 'read' && access !== 'write')) {
      throw new UsageError(
        `--permissions: "${pair}" is not SCOPE=read|write, ` +
          `with SCOPE one of ${PERMISSIONS.join(', ')}.`,
      );
    }
    out[scope as Permission] = access as Access;
  }
  return out;
}

function logLine(entry: RequestLogEntry): string {
  const query = new URLSearchParams(entry.query).toString();
  const op = entry.operationName === undefined ? '' : ` ${entry.operationName}`;
  const who = entry.login === undefined ? 'anonymous' : entry.login;
  const target = `${entry.path}${query === '' ? '' : `?${query}`}${op}`;
  return `${entry.at.toISOString()} ${entry.method} ${target} -> ${entry.status} (${who})`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      repo: { type: 'string', multiple: true },
      'default-branch': { type: 'string', default: 'main' },
      empty: { type: 'boolean', default: false },
      token: { type: 'string', default: 'ghs_emulator' },
      login: { type: 'string', default: 'cronwarden[bot]' },
      type: { type: 'string', default: 'Bot' },
      permissions: { type: 'string' },
      'can-create-labels': { type: 'boolean', default: false },
      'rate-limit': { type: 'string' },
      now: { type: 'string' },
      fault: { type: 'string', multiple: true },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port must be a port number, not ${values.port}.`);
  }
  if (values.type !== 'Bot' && values.type !== 'User') {
    throw new UsageError(`--type must be Bot or User, not ${values.type}.`);
  }
  const now = values.now === undefined ? undefined : new Date(values.now);
  if (now !== undefined && Number.isNaN(now.getTime())) {
    throw new UsageError(`--now must be an ISO date, not ${values.now as string}.`);
  }
  const rateLimit = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']);
  if (rateLimit !== undefined && !(Number.isInteger(rateLimit) && rateLimit > 0)) {
    throw new UsageError(`--rate-limit must be a positive whole number.`);
  }
  const faults = (values.fault ?? []).map((spec) => parseFaultSpec(spec));

  const emu = await startEmulator({
    port,
    ...(now === undefined ? {} : { now }),
    ...(values.quiet ? {} : { onRequest: (entry: RequestLogEntry) => console.log(logLine(entry)) }),
  });
  const repos = values.repo ?? ['octo-org/patrols'];
  for (const repo of repos) {
    emu.addRepo(repo, { defaultBranch: values['default-branch'], empty: values.empty });
  }
  emu.addToken(values.token, {
    login: values.login,
    type: values.type,
    permissions: parsePermissions(values.permissions),
    canCreateLabels: values['can-create-labels'],
    ...(rateLimit === undefined ? {} : { rateLimit }),
  });
  for (const fault of faults) {
    emu.faults.add(fault);
  }

  console.log(`GitHub API emulator listening at ${emu.url}`);
  console.log(`  GraphQL:      ${emu.url}/graphql`);
  console.log(`  repositories: ${repos.join(', ')}`);
  console.log(`  token:        ${values.token} (${values.login}, ${values.type})`);
  console.log(
    `Try: curl -H "Authorization: token ${values.token}" ${emu.url}/repos/${repos[0] as string}`,
  );
  console.log('Press Ctrl+C to stop.');

  const stop = (): void => {
    emu.close().then(
      () => {
        console.log('Emulator stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : String(error));
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const known = error instanceof UsageError || error instanceof FaultSpecError;
  const message = error instanceof Error ? error.message : String(error);
  console.error(known ? `${message}\n\n${HELP}` : message);
  process.exit(2);
});
