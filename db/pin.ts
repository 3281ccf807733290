import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** scrypt parameters for staff PINs: N=2^14 keeps a sign-in under ~50 ms on a till. */
const N = 16384;
const r = 8;
const p = 1;
const keyLength = 32;

export function hashPin(pin: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(pin, salt, keyLength, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Constant-time check of a PIN against its stored hash; a damaged hash never matches. */
export function pinMatches(pin: string, stored: string): boolean {
  const [scheme, n, rr, pp, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  if (expected.length < 16) return false;
  try {
    const actual = scryptSync(pin, Buffer.from(salt, 'base64'), expected.length, {
      N: Number(n),
      r: Number(rr),
      p: Number(pp),
    });
    return timingSafeEqual(actual, expected);
  } catch {
    return false; // parameters scrypt refuses: the row was tampered with, not a PIN that matches
  }
}
