import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Events } from '../shared/api.ts';
import { createEmitter, type Emitter } from '../shared/emitter.ts';
import { decodeHlc, encodeHlc, type Hlc, tickHlc } from '../shared/hlc.ts';
import type { TillSettings } from '../shared/settings.ts';
import { readSettings } from './settings.ts';
import type { Store } from './store.ts';

/**
 * One open till: its store, its identity, its clocks and who is signed in. Every handler
 * gets this, so tests can give a till a fixed clock.
 */
export interface Till {
  store: Store;
  db: Database.Database;
  /** Stable id of this installation; a reinstalled till gets a new one (DESIGN.md §6). */
  deviceId: string;
  settings(): TillSettings;
  /** Wall-clock time; replaced in tests. */
  now(): Date;
  /** The next hybrid-logical-clock stamp for a local event. */
  nextHlc(): string;
  /**
   * A stamp seen from elsewhere (a pull): later local events sort after it, so a till whose
   * wall clock is behind still wins with an edit made after seeing the server's.
   */
  observeHlc(stamp: string): void;
  session: { staffId: string | null; lastActivityAt: number };
  /** Pushes to the UI (progress, stock changed by a pull, sync status). */
  events: Emitter<Events>;
}

export interface TillOptions {
  now?: () => Date;
  /** The host's emitter, so its subscribers outlive a till reopened after a restore. */
  events?: Emitter<Events>;
}

function ensureDeviceId(db: Database.Database): string {
  const row = db.prepare("SELECT value FROM setting WHERE key = 'device_id'").get() as { value: string } | undefined;
  if (row) return JSON.parse(row.value) as string;
  const id = randomUUID();
  db.prepare("INSERT INTO setting (key, value) VALUES ('device_id', ?)").run(JSON.stringify(id));
  return id;
}

/** The latest stamp this till issued (outbox, ledger, counts) or saw (kept in a setting). */
function lastStamp(db: Database.Database): Hlc | null {
  const seen = db.prepare("SELECT value FROM setting WHERE key = 'last_hlc'").get() as { value: string } | undefined;
  const stamps = [
    ...(['outbox', 'stock_movement', 'stocktake_count'] as const).map(
      (table) => (db.prepare(`SELECT max(hlc) AS hlc FROM ${table}`).get() as { hlc: string | null }).hlc,
    ),
    seen ? (JSON.parse(seen.value) as string) : null,
  ].filter((stamp): stamp is string => stamp !== null);
  // The fixed-width time and counter come first, so text order is clock order up to the device.
  const latest = stamps
    .map((stamp) => stamp.slice(0, 22))
    .sort()
    .at(-1);
  const stamp = stamps.find((x) => x.startsWith(latest ?? '\0'));
  return stamp ? decodeHlc(stamp) : null;
}

export function openTill(store: Store, options: TillOptions = {}): Till {
  const { db } = store;
  const now = options.now ?? (() => new Date());
  const deviceId = ensureDeviceId(db);
  // The last stamp ever issued or seen survives restarts, so a clock moved back never reorders events.
  let last: Hlc | null = lastStamp(db);
  return {
    store,
    db,
    deviceId,
    settings: () => readSettings(store),
    now,
    nextHlc() {
      last = tickHlc(last, now().getTime(), deviceId);
      return encodeHlc(last);
    },
    observeHlc(stamp) {
      if (!/^\d{15}-\d{6}-/.test(stamp)) return;
      const seen = decodeHlc(stamp);
      if (last && (seen.wall < last.wall || (seen.wall === last.wall && seen.counter <= last.counter))) return;
      last = { wall: seen.wall, counter: seen.counter, device: deviceId };
      db.prepare(
        "INSERT INTO setting (key, value) VALUES ('last_hlc', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ).run(JSON.stringify(encodeHlc(last)));
    },
    session: { staffId: null, lastActivityAt: now().getTime() },
    events: options.events ?? createEmitter<Events>(),
  };
}
