/**
 * A till process for the kill test: rings up sales in a loop on the till in argv[2] while
 * its background sync client pushes to the server, until it is killed. Prints `done <id>`
 * after each sale has committed.
 */
import { createTillApi } from '../../db/api.ts';
import { openStore } from '../../db/store.ts';
import { startSync } from '../../db/sync-client.ts';
import { openTill } from '../../db/till.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: till-child.ts <data dir>');
const store = openStore({ dataDir: dir });
const till = openTill(store);
const api = createTillApi(till, { transport: 'ipc', version: 'kill-test' });
const staff = store.db.prepare("SELECT id FROM staff WHERE role = 'cashier'").get() as { id: string };
const products = (store.db.prepare("SELECT id FROM product WHERE unit = 'each' ORDER BY sku").all() as { id: string }[]).map(
  (p) => p.id,
);
till.session.staffId = staff.id;
// Small batches and no waiting: as many pushes in flight as possible when the kill comes.
startSync(till, { pollMs: 20, nudgeDelayMs: 0, baseDelayMs: 10, maxDelayMs: 50, maxBatchOps: 3 });
process.stdout.write('ready\n');

async function call(name: string, input: unknown) {
  const result = await api.call(name, input);
  if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.error)}`);
  return result.value as { id: string; total: number };
}

for (let i = 0; ; i++) {
  const productId = products[i % products.length] ?? '';
  await call('sale.addItem', { productId, quantity: 1000 * (1 + (i % 2)) });
  const open = await call('sale.current', {});
  const order = await call('sale.complete', { tenders: [{ kind: 'cash', amount: open.total }] });
  process.stdout.write(`done ${order.id}\n`);
  // Let the sync loop run between sales.
  await new Promise((resolve) => setTimeout(resolve, 5));
}
