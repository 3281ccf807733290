// Web Crypto exists in Node and every browser; shared/ compiles without either's types.
declare const crypto: { getRandomValues(array: Uint8Array): Uint8Array };

const hex = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
// Random bytes are drawn in blocks: one getRandomValues call per 256 ids, not per id.
const pool = new Uint8Array(16 * 256);
let used = pool.length;

/** UUIDv7 (RFC 9562): time-ordered ids for rows and ops that must be unique across tills. */
export function uuidv7(now: number = Date.now()): string {
  if (used === pool.length) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  const b = pool.subarray(used, used + 16);
  used += 16;
  // 48-bit milliseconds, big-endian: high 16 bits and low 32 bits, without BigInt.
  const high = Math.floor(now / 2 ** 32);
  const low = now >>> 0;
  b[0] = (high >>> 8) & 0xff;
  b[1] = high & 0xff;
  b[2] = low >>> 24;
  b[3] = (low >>> 16) & 0xff;
  b[4] = (low >>> 8) & 0xff;
  b[5] = low & 0xff;
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x70;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += hex[b[i] ?? 0];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}
