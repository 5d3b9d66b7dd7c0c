export { LocalGitStore } from './local-git.js';
export type { LocalGitStoreOptions } from './local-git.js';
export { MemoryStore } from './memory.js';
export { openStore, StoreSpecError } from './open.js';
export type { OpenStoreOptions } from './open.js';
export { assertLedgerRef, refNameProblem } from './rules.js';
export { StoreError } from './types.js';
export type { LedgerCommit, LedgerRead, LedgerStore, WriteResult } from './types.js';
