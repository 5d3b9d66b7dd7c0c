import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { commitOn, failure, R, REPO, setup } from './helpers.js';
import type { Setup } from './helpers.js';

let s: Setup;

beforeEach(async () => {
  s = await setup();
});

afterEach(async () => {
  await s.emu.close();
});

/** A branch one commit ahead of main. */
async function branch(name: string): Promise<string> {
  const main = await s.octokit.git.getRef({ ...R, ref: 'heads/main' });
  const sha = await commitOn(s.octokit, main.data.object.sha, `change on ${name}`);
  await s.octokit.git.createRef({ ...R, ref: `refs/heads/${name}`, sha });
  return sha;
}

describe('pull requests', () => {
  it('opens a pull request from a branch with commits, shown among issues too', async () => {
    const head = await branch('cronwarden/update');
    const pr = await s.octokit.pulls.create({
      ...R,
      title: 'Update',
      head: 'octo-org:cronwarden/update',
      base: 'main',
      body: 'by a patrol',
    });
    const listed = await s.octokit.pulls.list({ ...R, head: 'octo-org:cronwarden/update' });
    const asIssue = await s.octokit.issues.get({ ...R, issue_number: pr.data.number });

    expect(pr.status).toBe(201);
    expect(pr.data).toMatchObject({
      state: 'open',
      head: { ref: 'cronwarden/update', label: 'octo-org:cronwarden/update', sha: head },
      base: { ref: 'main' },
    });
    expect(listed.data.map((p) => p.number)).toEqual([pr.data.number]);
    expect(asIssue.data.pull_request?.html_url).toBe(
      `https://github.com/${REPO}/pull/${pr.data.number}`,
    );
  });

  it('refuses a second open pull request for the same head', async () => {
    await branch('fix');
    await s.octokit.pulls.create({ ...R, title: 'one', head: 'fix', base: 'main' });
    const f = await failure(
      s.octokit.pulls.create({ ...R, title: 'two', head: 'fix', base: 'main' }),
    );

    expect(f.status).toBe(422);
    expect(f.message).toContain('A pull request already exists for octo-org:fix.');
  });

  it('refuses a head with no commits ahead of the base', async () => {
    const main = await s.octokit.git.getRef({ ...R, ref: 'heads/main' });
    await s.octokit.git.createRef({ ...R, ref: 'refs/heads/same', sha: main.data.object.sha });
    const f = await failure(
      s.octokit.pulls.create({ ...R, title: 't', head: 'same', base: 'main' }),
    );

    expect(f.status).toBe(422);
    expect(f.message).toContain('No commits between main and same');
  });

  it('closes a pull request, after which a new one may be opened', async () => {
    await branch('fix');
    const first = await s.octokit.pulls.create({ ...R, title: 'one', head: 'fix', base: 'main' });
    const closed = await s.octokit.pulls.update({
      ...R,
      pull_number: first.data.number,
      state: 'closed',
    });
    const second = await s.octokit.pulls.create({ ...R, title: 'two', head: 'fix', base: 'main' });

    expect(closed.data.state).toBe('closed');
    expect(second.data.number).toBe(first.data.number + 1);
    expect(s.emu.pulls(REPO).map((p) => p.state)).toEqual(['closed', 'open']);
  });
});

describe('workflow runs', () => {
  it('answers a run with its latest attempt, and each attempt on its own', async () => {
    s.emu.addRun(REPO, { id: 42, attempt: 2, status: 'in_progress', name: 'nightly' });
    const run = await s.octokit.actions.getWorkflowRun({ ...R, run_id: 42 });
    const first = await s.octokit.actions.getWorkflowRunAttempt({
      ...R,
      run_id: 42,
      attempt_number: 1,
    });
    const f = await failure(
      s.octokit.actions.getWorkflowRunAttempt({ ...R, run_id: 42, attempt_number: 3 }),
    );

    expect(run.data).toMatchObject({
      id: 42,
      name: 'nightly',
      run_attempt: 2,
      status: 'in_progress',
      conclusion: null,
      html_url: `https://github.com/${REPO}/actions/runs/42`,
    });
    expect(first.data).toMatchObject({
      run_attempt: 1,
      status: 'completed',
      conclusion: 'failure',
    });
    expect(f.status).toBe(404);
  });

  it('follows updates and re-runs made by the test', async () => {
    s.emu.addRun(REPO, { id: 7, status: 'queued' });
    s.emu.updateRun(REPO, 7, { status: 'completed', conclusion: 'success' });
    s.emu.updateRun(REPO, 7, { attempt: 2, status: 'in_progress' });
    const run = await s.octokit.actions.getWorkflowRun({ ...R, run_id: 7 });

    expect(run.data).toMatchObject({ run_attempt: 2, status: 'in_progress', conclusion: null });
    expect(s.emu.runs(REPO)[0]?.attempts).toEqual([
      { status: 'completed', conclusion: 'success' },
      { status: 'in_progress', conclusion: null },
    ]);
  });

  it('cancels a running run with 202 and refuses a completed one with 409', async () => {
    s.emu.addRun(REPO, { id: 9, status: 'in_progress' });
    const cancelled = await s.octokit.actions.cancelWorkflowRun({ ...R, run_id: 9 });
    const f = await failure(s.octokit.actions.cancelWorkflowRun({ ...R, run_id: 9 }));

    expect(cancelled.status).toBe(202);
    expect(s.emu.runs(REPO)[0]).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
    expect(f.status).toBe(409);
    expect(f.data.message).toBe('Cannot cancel a workflow run that is completed.');
  });

  it('records a dispatch, answering 204 or the new run’s details', async () => {
    const plain = await s.octokit.actions.createWorkflowDispatch({
      ...R,
      workflow_id: 'patrol.yml',
      ref: 'main',
      inputs: { patrol: 'backup' },
    });
    const detailed = await s.octokit.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      { ...R, workflow_id: 'patrol.yml', ref: 'main', return_run_details: true },
    );
    const data = detailed.data as unknown as { workflow_run_id: number; html_url: string };
    const run = await s.octokit.actions.getWorkflowRun({ ...R, run_id: data.workflow_run_id });

    expect(plain.status).toBe(204);
    expect(detailed.status).toBe(200);
    expect(data.html_url).toBe(`https://github.com/${REPO}/actions/runs/${data.workflow_run_id}`);
    expect(run.data).toMatchObject({ status: 'queued', event: 'workflow_dispatch' });
    expect(s.emu.dispatches(REPO).map((d) => d.inputs)).toEqual([{ patrol: 'backup' }, {}]);
  });

  it('refuses a dispatch to a ref that does not exist', async () => {
    const f = await failure(
      s.octokit.actions.createWorkflowDispatch({ ...R, workflow_id: 'patrol.yml', ref: 'nope' }),
    );

    expect(f.status).toBe(422);
    expect(f.data.message).toBe('No ref found for: nope');
  });
});
