export { currentProcessHolder, probeProcessHolder, processHolderFor } from './process-identity.js';
export type { ProcessHolder, ProcessIdentityOptions, ProcessLiveness } from './process-identity.js';
export { runShell } from './shell.js';
export type { ShellRunOptions, ShellRunResult } from './shell.js';
