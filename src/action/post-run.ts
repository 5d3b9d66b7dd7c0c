import { stopTickProcesses } from '../run/local-holders.js';
import { describeHolder } from '../ledger/lease.js';
import { updateLedger } from '../tick/ledger-io.js';
import { VERSION } from '../version.js';
import { releaseAbandoned, type AbandonedRelease } from './abandoned.js';
import { connect } from './connect.js';
import { readJobContext } from './context.js';
import { describeFailure } from './failure.js';
import { parseInputs, type ActionEnv } from './inputs.js';
import type { ActionFactories } from './run.js';
import { readPostState } from './state.js';

export interface PostResult {
  /** Patrols whose lease the post step released. */
  released: string[];
  failure: string | null;
}

/**
 * The post step runs after the main step whatever became of it. When the main step did
 * not get to release its leases (it was cancelled, crashed, or its process was killed),
 * this releases, by compare-and-swap, exactly the leases that carry the nonces it saved
 * and name this job as their holder; a lease someone has since taken over is left alone.
 */
export async function runPost(
  env: ActionEnv,
  factories: Pick<ActionFactories, 'kit' | 'client' | 'cwd'>,
): Promise<PostResult> {
  const { kit } = factories;
  const state = readPostState(env);
  if (state.released) {
    kit.info('The main step released every lease it held; nothing to do.');
    return { released: [], failure: null };
  }
  if (state.ledger === null || state.nonces.length === 0) {
    kit.info('The main step was granted no lease; nothing to release.');
    return { released: [], failure: null };
  }

  try {
    const job = readJobContext(env, factories.cwd);
    const inputs = parseInputs(env, job.repository);
    kit.setSecret(inputs.token);
    const ledger = state.ledger;
    const { store } = connect(
      env,
      job,
      { token: inputs.token, lockRepository: ledger.repository },
      factories.client,
      kit,
    );
    const writer = { id: `${ledger.tick}-post`, holder: job.holder, version: VERSION };
    kit.info(
      `The main step stopped before releasing its leases; releasing those still held by ` +
        `${describeHolder(job.holder)} in ${ledger.ref} of ${ledger.repository}.`,
    );
    // The main step's patrols run in their own process groups and may have outlived it:
    // end them before giving up their leases, or a later tick could run beside them.
    await stopTickProcesses(ledger.tick, undefined, { info: (m) => kit.info(m) });
    const nonces = new Set(state.nonces);
    const result = await updateLedger<AbandonedRelease['released']>(
      store,
      ledger.ref,
      (snapshot) => {
        if (snapshot.document === null) return { write: null, value: [] };
        const abandoned = releaseAbandoned(
          snapshot.document,
          nonces,
          job.holder,
          writer,
          snapshot.serverTime,
          job.runUrl,
        );
        return abandoned.next === null
          ? { write: null, value: [] }
          : { write: abandoned.next, value: abandoned.released };
      },
    );
    for (const lease of result.value) {
      kit.info(
        `${lease.patrol}: released lease #${lease.fencingToken} ` +
          `(slots ${lease.slots.join(', ')}), recorded as ended without a result`,
      );
    }
    if (result.value.length === 0) {
      kit.info('This job holds no lease any more (released, or taken over); nothing written.');
    }
    return { released: result.value.map((lease) => lease.patrol), failure: null };
  } catch (error: unknown) {
    const failure =
      `Could not release this job's leases; they stay until they expire. ` + describeFailure(error);
    kit.setFailed(failure);
    return { released: [], failure };
  }
}
