/**
 * Hybrid logical clock (DESIGN.md §6): orders a device's own events even when its wall
 * clock jumps backwards. Encoded as a fixed-width string so text order = causal order:
 * `<ms since epoch, 15 digits>-<counter, 6 digits>-<device>`.
 */
export interface Hlc {
  wall: number;
  counter: number;
  device: string;
}

export function encodeHlc(h: Hlc): string {
  return `${String(h.wall).padStart(15, '0')}-${String(h.counter).padStart(6, '0')}-${h.device}`;
}

export function decodeHlc(text: string): Hlc {
  const match = /^(\d{15})-(\d{6})-(.+)$/.exec(text);
  if (!match) throw new Error(`Not an HLC: ${text}`);
  return { wall: Number(match[1]), counter: Number(match[2]), device: match[3] ?? '' };
}

/** The next local event's clock: never behind the last one, whatever the wall clock says. */
export function tickHlc(last: Hlc | null, now: number, device: string): Hlc {
  if (!last || now > last.wall) return { wall: now, counter: 0, device };
  return { wall: last.wall, counter: last.counter + 1, device };
}

/** Merging a clock seen from elsewhere (a pull), so later local events sort after it. */
export function receiveHlc(last: Hlc | null, remote: Hlc, now: number, device: string): Hlc {
  const wall = Math.max(now, last?.wall ?? 0, remote.wall);
  let counter = 0;
  if (wall === last?.wall && wall === remote.wall) counter = Math.max(last.counter, remote.counter) + 1;
  else if (wall === last?.wall) counter = last.counter + 1;
  else if (wall === remote.wall) counter = remote.counter + 1;
  return { wall, counter, device };
}
