import { defaultTillSettings, type settingsOperations, type TillSettings, tillSettingsSchema } from '../shared/settings.ts';
import type { HandlersFor } from './dispatch.ts';
import type { Store } from './store.ts';
import type { Till } from './till.ts';

/** Settings live in the store, not in the browser: nothing a till needs is in a cache. */
export function readSettings(store: Store): TillSettings {
  const rows = store.db.prepare('SELECT key, value FROM setting').all() as { key: string; value: string }[];
  const raw: Record<string, unknown> = { ...defaultTillSettings };
  for (const row of rows) raw[row.key] = JSON.parse(row.value);
  const parsed = tillSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : defaultTillSettings;
}

/** Writes settings in the caller's transaction (or its own). */
export function writeSettings(store: Store, changes: Partial<TillSettings>): void {
  const put = store.db.prepare(
    'INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  store.db.transaction(() => {
    for (const [key, value] of Object.entries(changes)) if (value !== undefined) put.run(key, JSON.stringify(value));
  })();
}

export function settingsHandlers(till: Till): HandlersFor<typeof settingsOperations> {
  return {
    'settings.get': () => readSettings(till.store),
    'settings.update': (changes) => {
      writeSettings(till.store, changes);
      return readSettings(till.store);
    },
  };
}
