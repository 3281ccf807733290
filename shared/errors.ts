/**
 * Typed errors that cross the bridge. The renderer shows `t('errors.' + reason)` with
 * `params`, so every failure reads in the cashier's language; `message` is the English
 * fallback for logs and tools.
 */
export const errorCodes = [
  'unknown_operation', // the name is not in the contract
  'invalid_input', // the input failed the operation's schema
  'unauthorized', // nobody signed in, or bad token
  'forbidden', // signed in, but the role may not do this
  'not_found', // a referenced record does not exist
  'conflict', // the record changed state (e.g. order already completed)
  'rejected', // a business rule said no (over-refund, tender short, ...)
  'unavailable', // a temporary condition (disk full, database busy): retry
  'internal', // a bug: logged with detail, shown generically
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface InputIssue {
  path: string;
  message: string;
}

export interface ApiError {
  code: ErrorCode;
  /** A specific, translatable reason, e.g. `over_refund`; defaults to the code. */
  reason: string;
  message: string;
  params?: Record<string, string | number>;
  issues?: InputIssue[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Thrown by store code for expected failures; turned into an ApiError at the edge. */
export class TillError extends Error {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly params: Record<string, string | number> | undefined;

  constructor(code: ErrorCode, reason: string, message: string, params?: Record<string, string | number>) {
    super(message);
    this.name = 'TillError';
    this.code = code;
    this.reason = reason;
    this.params = params;
  }

  toApiError(): ApiError {
    const error: ApiError = { code: this.code, reason: this.reason, message: this.message };
    if (this.params) error.params = this.params;
    return error;
  }
}

export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && (errorCodes as readonly string[]).includes(v.code) && typeof v.message === 'string';
}
