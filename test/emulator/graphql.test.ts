import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { commitOn, NAME, OWNER, R, setup } from './helpers.js';
import type { Setup } from './helpers.js';

// The documents the product sends, verbatim in shape.
const READ_LEDGER = `query CronwardenReadLedger($owner: String!, $name: String!, $ref: String!) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $ref) { target { oid ... on Commit { message } } }
  }
}`;

const LEDGER_HISTORY = `query CronwardenLedgerHistory(
  $owner: String!, $name: String!, $ref: String!, $first: Int!, $after: String
) {
  repository(owner: $owner, name: $name) {
    ref(qualifiedName: $ref) { target { ... on Commit {
      history(first: $first, after: $after) {
        nodes { oid message }
        pageInfo { hasNextPage endCursor }
      }
    } } }
  }
}`;

interface ReadAnswer {
  repository: { ref: { target: { oid: string; message: string } } | null } | null;
}

interface HistoryAnswer {
  repository: {
    ref: {
      target: {
        history: {
          nodes: { oid: string; message: string }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      };
    } | null;
  };
}

let s: Setup;

interface GraphqlFailure {
  errors: { type?: string; message: string }[];
  data: unknown;
}

/** Octokit throws a GraphqlResponseError carrying the answer's errors and data. */
async function graphqlFailure(promise: Promise<unknown>): Promise<GraphqlFailure> {
  try {
    await promise;
  } catch (error: unknown) {
    const e = error as Partial<GraphqlFailure>;
    if (Array.isArray(e.errors)) {
      return { errors: e.errors, data: e.data };
    }
    throw error;
  }
  throw new Error('Expected the query to fail, and it succeeded.');
}

beforeEach(async () => {
  s = await setup();
});

afterEach(async () => {
  await s.emu.close();
});

/** A ledger of `n` commits, v1 (root) to vn (tip); answers their ids, oldest first. */
async function ledger(n: number): Promise<string[]> {
  const shas: string[] = [];
  for (let i = 1; i <= n; i += 1) {
    shas.push(await commitOn(s.octokit, shas[shas.length - 1], `ledger v${i}`));
  }
  await s.octokit.git.createRef({ ...R, ref: 'refs/cronwarden/demo', sha: shas[n - 1] as string });
  return shas;
}

const vars = { owner: OWNER, name: NAME, ref: 'refs/cronwarden/demo' };

describe('CronwardenReadLedger', () => {
  it('reads the tip and its message in one request', async () => {
    const shas = await ledger(2);
    const answer = await s.octokit.graphql<ReadAnswer>(READ_LEDGER, vars);

    expect(answer.repository?.ref?.target).toEqual({ oid: shas[1], message: 'ledger v2' });
    expect(s.emu.log.at(-1)).toMatchObject({
      path: '/graphql',
      operationName: 'CronwardenReadLedger',
    });
  });

  it('answers a missing ref with ref: null', async () => {
    const answer = await s.octokit.graphql<ReadAnswer>(READ_LEDGER, vars);

    expect(answer).toEqual({ repository: { ref: null } });
  });

  it('answers a missing repository with repository: null and a NOT_FOUND error', async () => {
    const f = await graphqlFailure(s.octokit.graphql(READ_LEDGER, { ...vars, name: 'absent' }));

    expect(f.data).toEqual({ repository: null });
    expect(f.errors[0]?.type).toBe('NOT_FOUND');
    expect(f.errors[0]?.message).toContain(
      "Could not resolve to a Repository with the name 'octo-org/absent'",
    );
  });
});

describe('CronwardenLedgerHistory', () => {
  it('pages through the history newest first with cursors', async () => {
    const shas = await ledger(5);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const answer: HistoryAnswer = await s.octokit.graphql<HistoryAnswer>(LEDGER_HISTORY, {
        ...vars,
        first: 2,
        after,
      });
      const history = answer.repository.ref?.target.history;
      seen.push(...(history?.nodes.map((n) => n.message) ?? []));
      pages += 1;
      if (history?.pageInfo.hasNextPage !== true) {
        break;
      }
      after = history.pageInfo.endCursor;
    }

    expect(pages).toBe(3);
    expect(seen).toEqual(['ledger v5', 'ledger v4', 'ledger v3', 'ledger v2', 'ledger v1']);
    expect(shas).toHaveLength(5);
  });

  it('refuses more than 100 records per page', async () => {
    await ledger(1);
    const f = await graphqlFailure(s.octokit.graphql(LEDGER_HISTORY, { ...vars, first: 101 }));

    expect(f.errors[0]?.message).toContain('exceeds the `first` limit of 100 records');
  });
});

describe('other operations', () => {
  it('answers 200 with an error naming the unsupported operation', async () => {
    const response = await fetch(`${s.emu.url}/graphql`, {
      method: 'POST',
      headers: { authorization: 'bearer ghs_cronwarden_test' },
      body: JSON.stringify({ query: 'query Viewer { viewer { login } }' }),
    });
    const body = (await response.json()) as { errors: { message: string }[] };

    expect(response.status).toBe(200);
    expect(body.errors[0]?.message).toContain('does not support Viewer');
  });
});
