/**
 * A till for benchmarks: the production store (openStore: WAL, synchronous=FULL) and the
 * contract exactly as the UI calls it (createTillApi + api.call), on a real file on disk.
 */
import { createTillApi } from '../../db/api.ts';
import type { Api } from '../../db/dispatch.ts';
import { openStore, type Store } from '../../db/store.ts';
import { openTill, type Till, type TillOptions } from '../../db/till.ts';
import type { InputOf, OperationName, OutputOf } from '../../shared/api.ts';

export interface BenchTill {
  dir: string;
  store: Store;
  till: Till;
  api: Api;
  /** Calls an operation through the contract and returns its value, or throws with the typed error. */
  ok<N extends OperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>>;
  /** Signs a demo staff member in through the contract, as the PIN pad does. */
  signIn(name: string, pin: string): Promise<string>;
  close(): void;
}

/** The staff setup.demo creates (db/setup.ts). */
export const demo = {
  owner: { name: 'Olivia Owner', pin: '1234' },
  manager: { name: 'Max Manager', pin: '2222' },
  cashier: { name: 'Ada Cashier', pin: '1111' },
} as const;

export function openBenchTill(dir: string, options: TillOptions = {}): BenchTill {
  const store = openStore({ dataDir: dir });
  const till = openTill(store, options);
  const api = createTillApi(
    till,
    { transport: 'http', version: 'bench' },
    { onInternalError: (name, error) => console.error(`[bench] ${name} failed:`, error) },
  );
  const ok = async <N extends OperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> => {
    const result = await api.call(name, input);
    if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
    return result.value as OutputOf<N>;
  };
  return {
    dir,
    store,
    till,
    api,
    ok,
    async signIn(name, pin) {
      const member = (await ok('staff.list', {})).find((s) => s.name === name);
      if (!member) throw new Error(`No staff member ${name}`);
      await ok('staff.signIn', { staffId: member.id, pin });
      return member.id;
    },
    close: () => store.close(),
  };
}
