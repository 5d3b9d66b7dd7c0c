import { describe, expect, it } from 'vitest';

import { patrolEnvironment } from '../../src/action/patrol-environment.js';

describe('patrolEnvironment', () => {
  it('passes the job’s environment on, without the inputs, the state or the runner’s tokens', () => {
    const env = patrolEnvironment({
      PATH: '/usr/bin',
      GITHUB_REPOSITORY: 'octo-org/patrols',
      GH_TOKEN: 'set on the step by the workflow',
      INPUT_TOKEN: 'ghs_secret',
      'INPUT_LOCK-REPOSITORY': 'octo-org/ledgers',
      STATE_nonces: '[]',
      ACTIONS_RUNTIME_TOKEN: 'runtime',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
      ACTIONS_STEP_DEBUG: 'true',
    });

    expect(env).toEqual({
      PATH: '/usr/bin',
      GITHUB_REPOSITORY: 'octo-org/patrols',
      GH_TOKEN: 'set on the step by the workflow',
      ACTIONS_STEP_DEBUG: 'true',
    });
  });
});
