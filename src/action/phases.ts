import type { ActionKit } from './kit.js';

/** The phases of a tick, each a collapsible group in the step log. */
export type Phase = 'load' | 'claim' | 'run' | 'release' | 'report';

const TITLES: Record<Phase, string> = {
  load: 'Load the patrol table',
  claim: 'Claim due slots in the ledger',
  run: 'Run the patrols',
  release: 'Release the leases',
  report: 'Report',
};

/**
 * One open log group at a time. The engine claims, runs and releases inside one call, so
 * the Action moves to the next phase when it sees the next one begin (the first patrol
 * starting ends the claim) rather than around separate calls.
 */
export class Phases {
  private current: Phase | null = null;

  constructor(private readonly kit: ActionKit) {}

  get phase(): Phase | null {
    return this.current;
  }

  enter(phase: Phase): void {
    if (this.current === phase) return;
    this.close();
    this.kit.startGroup(TITLES[phase]);
    this.current = phase;
  }

  close(): void {
    if (this.current === null) return;
    this.kit.endGroup();
    this.current = null;
  }
}
