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
  session: { staffId: string | null; lastActivityAt: number };
  /** Pushes to the UI (progress, stock changed by a pull, sync status). */
  events: Emitter<Events>;
}

export interface TillOptions {
  now?: () => Date;
}

function ensureDeviceId(db: Database.Database): string {
  const row = db.prepare("SELECT value FROM setting WHERE key = 'device_id'").get() as { value: string } | undefined;
  if (row) return JSON.parse(row.value) as string;
  const id = randomUUID();
  db.prepare("INSERT INTO setting (key, value) VALUES ('device_id', ?)").run(JSON.stringify(id));
  return id;
}

export function openTill(store: Store, options: TillOptions = {}): Till {
  const { db } = store;
  const now = options.now ?? (() => new Date());
  const deviceId = ensureDeviceId(db);
  // The last stamp ever issued survives restarts, so a clock moved back never reorders events.
  const lastOp = db.prepare('SELECT max(hlc) AS hlc FROM outbox').get() as { hlc: string | null };
  let last: Hlc | null = lastOp.hlc ? decodeHlc(lastOp.hlc) : null;
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
    session: { staffId: null, lastActivityAt: now().getTime() },
    events: createEmitter<Events>(),
  };
}
