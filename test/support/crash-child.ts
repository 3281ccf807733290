/**
 * Rings up sales in a loop on the till in argv[2] until it is killed. After each sale has
 * committed it prints `done <order id>`; the parent kills it with SIGKILL at random moments.
 */
import { createTillApi } from '../../db/api.ts';
import { openStore } from '../../db/store.ts';
import { openTill } from '../../db/till.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-child.ts <data dir>');
const store = openStore({ dataDir: dir });
const till = openTill(store);
const api = createTillApi(till, { transport: 'ipc', version: 'crash-test' });
const staff = store.db.prepare("SELECT id FROM staff WHERE role = 'cashier'").get() as { id: string };
const products = (store.db.prepare("SELECT id FROM product WHERE unit = 'each'").all() as { id: string }[]).map((p) => p.id);
till.session.staffId = staff.id;
process.stdout.write('ready\n');

async function call(name: string, input: unknown) {
  const result = await api.call(name, input);
  if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.error)}`);
  return result.value as { id: string; total: number };
}

for (let i = 0; ; i++) {
  const lines = 1 + (i % 4);
  for (let j = 0; j < lines; j++) {
    const productId = products[(i * 7 + j * 3) % products.length] ?? '';
    await call('sale.addItem', { productId, quantity: 1000 * (1 + (j % 3)) });
  }
  const open = await call('sale.current', {});
  const order = await call('sale.complete', { tenders: [{ kind: 'cash', amount: open.total + 1000 }] });
  process.stdout.write(`done ${order.id}\n`);
}
