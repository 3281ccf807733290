import { defaultTillSettings, type settingsOperations, type TillSettings, tillSettingsSchema } from '../shared/settings.ts';
import { writeAudit } from './audit.ts';
import type { HandlersFor } from './dispatch.ts';
import { authorize } from './staff-access.ts';
import type { Store } from './store.ts';
import type { Till } from './till.ts';

// Read on every sale (tax mode, till code): parsed once, dropped whenever they are written.
const cache = new WeakMap<Store, TillSettings>();

/** Settings live in the store, never in browser storage that a reload or a cache clear could lose. */
export function readSettings(store: Store): TillSettings {
  const cached = cache.get(store);
  if (cached) return cached;
  const rows = store.db.prepare('SELECT key, value FROM setting').all() as { key: string; value: string }[];
  const raw: Record<string, unknown> = { ...defaultTillSettings };
  for (const row of rows) raw[row.key] = JSON.parse(row.value);
  const parsed = tillSettingsSchema.safeParse(raw);
  const settings = parsed.success ? parsed.data : defaultTillSettings;
  cache.set(store, settings);
  return settings;
}

/** Writes settings in the caller's transaction (or its own). */
export function writeSettings(store: Store, changes: Partial<TillSettings>): void {
  const put = store.db.prepare(
    'INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  store.db.transaction(() => {
    for (const [key, value] of Object.entries(changes)) if (value !== undefined) put.run(key, JSON.stringify(value));
  })();
  cache.delete(store);
}

export function settingsHandlers(till: Till): HandlersFor<typeof settingsOperations> {
  return {
    'settings.get': () => readSettings(till.store),
    'settings.update': ({ override, ...changes }) => {
      // The language is each cashier's own choice; everything else is the shop's (owners).
      const shopWide = Object.keys(changes).filter((key) => key !== 'language');
      if (shopWide.length > 0) {
        const auth = authorize(till, 'manage_settings', override);
        const before = readSettings(till.store);
        till.db.transaction(() => {
          writeSettings(till.store, changes);
          writeAudit(till, {
            staffId: auth.staffId,
            approvedBy: auth.approvedBy,
            action: 'settings.update',
            before: Object.fromEntries(shopWide.map((k) => [k, before[k as keyof TillSettings]])),
            after: Object.fromEntries(shopWide.map((k) => [k, changes[k as keyof typeof changes]])),
          });
        })();
      } else {
        writeSettings(till.store, changes);
      }
      return readSettings(till.store);
    },
  };
}
