import { PermissionError, RateLimitError, TokenRefusedError } from '../github/errors.js';
import { NotALedgerError, ProtocolTooNewError } from '../ledger/document.js';
import { StoreError } from '../store/types.js';
import { LedgerConflictError } from '../tick/ledger-io.js';
import { TickInputError } from '../tick/tick.js';
import { JobContextError } from './context.js';
import { InputError } from './inputs.js';

/** The table is invalid; its problems were already annotated at their lines. */
export class TableInvalidError extends Error {
  override name = 'TableInvalidError';
}

/** Failures whose message was written for the maintainer and says what to do. */
const EXPLAINED = [
  InputError,
  JobContextError,
  TableInvalidError,
  TickInputError,
  PermissionError,
  TokenRefusedError,
  RateLimitError,
  ProtocolTooNewError,
  NotALedgerError,
  LedgerConflictError,
  StoreError,
];

/** The one message a failed step shows, whatever was thrown. */
export function describeFailure(error: unknown): string {
  if (EXPLAINED.some((kind) => error instanceof kind)) return errorMessage(error);
  return `Cronwarden stopped unexpectedly: ${errorMessage(error)}`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
