import { appHandlers, type Runtime } from './app.ts';
import { type Api, type ApiOptions, createApi } from './dispatch.ts';
import { settingsHandlers } from './settings.ts';
import type { Store } from './store.ts';

/** Every handler of the contract, over one open store. */
export function createTillApi(store: Store, runtime: Runtime, options?: ApiOptions): Api {
  return createApi(
    {
      ...appHandlers(store, runtime),
      ...settingsHandlers(store),
    },
    options,
  );
}
