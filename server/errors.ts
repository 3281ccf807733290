/** An answer other than 200, with the reason a till acts on (shared/sync.ts syncErrorSchema). */
export class HttpError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly extra: { epoch?: string; lastSeq?: number; acceptedSchemaVersions?: number[] };

  constructor(status: number, reason: string, message: string, extra: HttpError['extra'] = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.reason = reason;
    this.extra = extra;
  }
}

/**
 * A permanent problem with one op (bad payload, a rule it breaks): the op is marked
 * rejected, the queue moves on, and the back office shows it.
 */
export class OpRejected extends Error {
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(message);
    this.name = 'OpRejected';
    this.reason = reason;
  }
}
