import { defaultTillSettings, type TillSettings, tillSettingsSchema } from '../shared/settings.ts';
import type { Handlers } from './dispatch.ts';
import type { Store } from './store.ts';

/** Settings live in the store, not in the browser: nothing a till needs is in a cache. */
export function readSettings(store: Store): TillSettings {
  const rows = store.db.prepare('SELECT key, value FROM setting').all() as { key: string; value: string }[];
  const raw: Record<string, unknown> = { ...defaultTillSettings };
  for (const row of rows) raw[row.key] = JSON.parse(row.value);
  const parsed = tillSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : defaultTillSettings;
}

export function settingsHandlers(store: Store): Pick<Handlers, 'settings.get' | 'settings.update'> {
  const put = store.db.prepare(
    'INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  return {
    'settings.get': () => readSettings(store),
    'settings.update': (changes) => {
      store.db.transaction(() => {
        for (const [key, value] of Object.entries(changes)) if (value !== undefined) put.run(key, JSON.stringify(value));
      })();
      return readSettings(store);
    },
  };
}
