/**
 * Enrolment and device tokens (DESIGN.md §6). A manager makes a one-time code for a store;
 * a till trades it for a device token. Codes and tokens are stored only as SHA-256 hashes:
 * both are long random strings, so a fast hash is enough and a stolen database holds
 * nothing that signs in.
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

/** Trades a code for a device and its token, once: the code is spent in the same transaction. */
export async function enrol(db: Db, request: EnrolRequest): Promise<EnrolReply> {
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
    await tx.query('INSERT INTO device (id, store_id, name, install_id, token_hash, last_seq) VALUES ($1, $2, $3, $4, $5, $6)', [
      deviceId,
      spent.store_id,
      spent.device_name ?? request.deviceName,
      request.installId,
      sha256(token),
      lastSeq,
    ]);
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

/** The device behind a bearer token; 401 for a missing, unknown or revoked one. */
export async function authenticate(db: Queryable, header: string | undefined): Promise<AuthedDevice> {
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (!token) throw new HttpError(401, 'unknown_token', 'A device token is required');
  const row = (
    await db.query<{ id: string; store_id: string; name: string; revoked_at: Date | null }>(
      'SELECT id, store_id, name, revoked_at FROM device WHERE token_hash = $1',
      [sha256(token)],
    )
  ).rows[0];
  if (!row) throw new HttpError(401, 'unknown_token', 'This server does not know this till: enrol it again');
  if (row.revoked_at) throw new HttpError(401, 'device_revoked', 'This till was revoked on the server: enrol it again');
  return { id: row.id, storeId: row.store_id, name: row.name };
}
