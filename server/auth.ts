/**
 * Enrolment and device tokens (DESIGN.md §6). A manager makes a one-time code for a store;
 * a till trades it for a device token. Codes and tokens are stored only as SHA-256 hashes:
 * both are long random strings, so a fast hash is enough and a stolen database holds
 * nothing that signs in.
 *
 * Tokens expire, sliding: each use pushes the expiry out to a full period again (written at
 * most every renewEvery, not on every request), so only a till silent for the whole period
 * has to enrol again. The default period, 90 days, lets a till offline for weeks (a shop
 * closed for the season, a broken line) sync when it comes back (TILLDESK_TOKEN_TTL_DAYS).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EnrolReply, EnrolRequest } from '../shared/sync.ts';
import type { Db, Queryable } from './db.ts';
import { HttpError } from './errors.ts';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Crockford base32: no I, L, O or U, so a code read aloud or typed is hard to get wrong. */
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 10 symbols (50 bits), shown as XXXXX-XXXXX. */
export function newEnrolmentCode(): string {
  const bytes = randomBytes(10);
  const symbols = Array.from(bytes, (b) => alphabet[b % 32]).join('');
  return `${symbols.slice(0, 5)}-${symbols.slice(5)}`;
}

/** What a person typed → the canonical code: case, spaces and dashes ignored; O→0, I/L→1. */
export function normaliseCode(typed: string): string {
  return typed
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

export const newToken = () => `tdk_${randomBytes(32).toString('base64url')}`;

/** The shape newToken() makes: anything else is refused before the database is asked. */
const tokenShape = /^tdk_[A-Za-z0-9_-]{43}$/;

export const defaultTokenTtlMs = 90 * 86_400_000;

/** How often at most a token's expiry is written: a tenth of the period, at most an hour. */
export const renewEvery = (ttlMs: number) => Math.min(ttlMs / 10, 3_600_000);

export async function createEnrolmentCode(
  db: Queryable,
  storeId: string,
  options: { deviceName?: string; hours?: number } = {},
): Promise<{ code: string; expiresAt: Date }> {
  const store = await db.query('SELECT 1 FROM store WHERE id = $1', [storeId]);
  if (store.rowCount === 0) throw new Error(`No store ${storeId}`);
  const code = newEnrolmentCode();
  const expiresAt = new Date(Date.now() + (options.hours ?? 24) * 3_600_000);
  await db.query('INSERT INTO enrolment_code (code_hash, store_id, device_name, expires_at) VALUES ($1, $2, $3, $4)', [
    sha256(normaliseCode(code)),
    storeId,
    options.deviceName ?? null,
    expiresAt,
  ]);
  return { code, expiresAt };
}

/**
 * Trades a code for a device and its token, once: the code is spent in the same transaction.
 * A wrong, spent or expired code all get the same answer: which one it was would tell a
 * guesser that a code exists.
 */
export async function enrol(db: Db, request: EnrolRequest, tokenTtlMs = defaultTokenTtlMs): Promise<EnrolReply> {
  return db.transaction(async (tx) => {
    const spent = (
      await tx.query<{ store_id: string; device_name: string | null }>(
        `UPDATE enrolment_code SET used_at = now()
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING store_id, device_name`,
        [sha256(normaliseCode(request.code))],
      )
    ).rows[0];
    if (!spent) throw new HttpError(401, 'bad_enrolment_code', 'That enrolment code is wrong, used or expired');
    const deviceId = randomUUID();
    const token = newToken();
    const lastSeq = request.firstSeq - 1;
    await tx.query(
      `INSERT INTO device (id, store_id, name, install_id, token_hash, last_seq, token_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + $7 * interval '1 millisecond')`,
      [deviceId, spent.store_id, spent.device_name ?? request.deviceName, request.installId, sha256(token), lastSeq, tokenTtlMs],
    );
    await tx.query('UPDATE enrolment_code SET used_by = $2 WHERE code_hash = $1', [
      sha256(normaliseCode(request.code)),
      deviceId,
    ]);
    const store = (
      await tx.query<{ name: string; currency: string }>('SELECT name, currency FROM store WHERE id = $1', [spent.store_id])
    ).rows[0];
    const epoch = (await tx.query<{ epoch: string }>('SELECT epoch FROM server_state')).rows[0]?.epoch ?? '';
    const locations = (
      await tx.query<{ id: string; name: string }>('SELECT id, name FROM location WHERE store_id = $1 ORDER BY id', [
        spent.store_id,
      ])
    ).rows;
    return {
      deviceId,
      token,
      storeId: spent.store_id,
      storeName: store?.name ?? '',
      currency: store?.currency ?? '',
      epoch,
      lastSeq,
      locations,
    };
  });
}

export interface AuthedDevice {
  id: string;
  storeId: string;
  name: string;
}

/** The token in an Authorization header, or null when there is none. No regex: the header is the caller's. */
function bearer(header: string | undefined): string | null {
  const text = header?.trim() ?? '';
  const space = text.search(/[ \t]/);
  if (space < 0 || text.slice(0, space).toLowerCase() !== 'bearer') return null;
  return text.slice(space).trim() || null;
}

/**
 * The device behind a bearer token, or 401 with the reason: token_missing, unknown_token
 * (not a token this server gave out: forged, mistyped, from another server, or malformed —
 * those never reach the database), token_expired, device_revoked. A token used with less
 * than its period minus renewEvery left is renewed.
 */
export async function authenticate(
  db: Queryable,
  header: string | undefined,
  tokenTtlMs = defaultTokenTtlMs,
): Promise<AuthedDevice> {
  const token = bearer(header);
  if (!token) throw new HttpError(401, 'token_missing', 'A device token is required: enrol this till');
  if (!tokenShape.test(token)) throw new HttpError(401, 'unknown_token', 'That is not a device token this server gave out');
  const row = (
    await db.query<{ id: string; store_id: string; name: string; revoked_at: Date | null; expired: boolean; renew: boolean }>(
      `SELECT id, store_id, name, revoked_at, token_expires_at <= now() AS expired,
              token_expires_at < now() + $2 * interval '1 millisecond' AS renew
       FROM device WHERE token_hash = $1`,
      [sha256(token), tokenTtlMs - renewEvery(tokenTtlMs)],
    )
  ).rows[0];
  if (!row) throw new HttpError(401, 'unknown_token', 'This server does not know this till: enrol it again');
  if (row.revoked_at) throw new HttpError(401, 'device_revoked', 'This till was revoked on the server: enrol it again');
  if (row.expired) throw new HttpError(401, 'token_expired', 'This till was away too long and its token expired: enrol it again');
  if (row.renew) {
    await db.query(
      `UPDATE device SET token_expires_at = now() + $2 * interval '1 millisecond'
       WHERE id = $1 AND revoked_at IS NULL AND token_expires_at > now()`,
      [row.id, tokenTtlMs],
    );
  }
  return { id: row.id, storeId: row.store_id, name: row.name };
}
