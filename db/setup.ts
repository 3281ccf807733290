import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import type { DemoReport, setupOperations } from '../shared/setup.ts';
import { shopFloor } from '../shared/stock.ts';
import { seedCatalog } from './catalog-generator.ts';
import type { HandlersFor } from './dispatch.ts';
import { saleHandlers } from './sale.ts';
import { readSettings, writeSettings } from './settings.ts';
import { createStaff } from './staff.ts';
import { recordMovement } from './stock.ts';
import type { Till } from './till.ts';

function refuseIfSetUp(till: Till): void {
  if (readSettings(till.store).setupComplete) {
    throw new TillError('conflict', 'already_set_up', 'This till is already set up');
  }
}

export const demoStaff = [
  { name: 'Olivia Owner', role: 'owner', pin: '1234' },
  { name: 'Max Manager', role: 'manager', pin: '2222' },
  { name: 'Ada Cashier', role: 'cashier', pin: '1111' },
] as const;

/** Stock for the demo's first products, so the stock screens have something to show. */
const stockedProducts = 5000;

/**
 * A week of plausible sales, rung up through the real sale handlers with the clock set
 * back, one closed shift per day.
 */
async function demoHistory(till: Till, cashierId: string): Promise<number> {
  const products = till.db.prepare("SELECT id FROM product WHERE unit = 'each' AND active = 1 LIMIT 200").all() as {
    id: string;
  }[];
  let sales = 0;
  const today = till.now();
  for (let day = 7; day >= 1; day--) {
    const opened = new Date(today.getTime() - day * 86_400_000);
    opened.setUTCHours(8, 0, 0, 0);
    let clock = opened.getTime();
    const past: Till = { ...till, now: () => new Date(clock), session: { staffId: cashierId, lastActivityAt: clock } };
    const shiftId = uuidv7(clock);
    till.db
      .prepare('INSERT INTO shift (id, opened_by, opened_at, float) VALUES (?, ?, ?, 10000)')
      .run(shiftId, cashierId, opened.toISOString());
    const sell = saleHandlers(past);
    const count = 6 + ((day * 5) % 7);
    for (let n = 0; n < count; n++) {
      clock += 20 * 60_000 + ((n * 7919) % 40) * 60_000;
      past.session.lastActivityAt = clock;
      const lines = 1 + ((day + n) % 4);
      for (let l = 0; l < lines; l++) {
        const product = products[(day * 31 + n * 7 + l * 13) % products.length];
        if (product) await sell['sale.addItem']({ productId: product.id, quantity: 1000 * (1 + ((n + l) % 2)) });
      }
      const open = await sell['sale.current']({});
      if (!open) continue;
      const card = n % 3 === 0;
      await sell['sale.complete']({
        tenders: [
          card ? { kind: 'card', amount: open.total, reference: `DEMO${day}${n}` } : { kind: 'cash', amount: open.total + 500 },
        ],
      });
      sales++;
    }
    till.db
      .prepare('UPDATE shift SET closed_at = ?, closed_by = ? WHERE id = ?')
      .run(new Date(clock + 30 * 60_000).toISOString(), cashierId, shiftId);
  }
  return sales;
}

export function setupHandlers(till: Till): HandlersFor<typeof setupOperations> {
  const status = () => {
    const s = readSettings(till.store);
    return { setupComplete: s.setupComplete, shopName: s.shopName };
  };
  return {
    'setup.status': status,
    'setup.create': (input) => {
      refuseIfSetUp(till);
      const owner = till.db.transaction(() => {
        for (const rate of input.taxRates) {
          till.db.prepare('INSERT INTO tax_class (id, name, rate_bp) VALUES (?, ?, ?)').run(uuidv7(), rate.name, rate.rateBp);
        }
        const member = createStaff(till, { name: input.ownerName, role: 'owner', pin: input.ownerPin });
        writeSettings(till.store, {
          setupComplete: true,
          shopName: input.shopName,
          currency: input.currency,
          locale: input.locale,
          language: input.language,
          taxMode: input.taxMode,
          cashRoundingStep: input.cashRoundingStep,
        });
        return member;
      })();
      till.session.staffId = owner.id;
      till.session.lastActivityAt = till.now().getTime();
      return status();
    },
    'setup.demo': async ({ products, language }): Promise<DemoReport> => {
      refuseIfSetUp(till);
      const staffIds = till.db.transaction(() => {
        const ids = demoStaff.map((s) => createStaff(till, { name: s.name, role: s.role, pin: s.pin }).id);
        writeSettings(till.store, {
          shopName: 'Corner Shop (demo)',
          shopAddress: '1 Market Street',
          ...(language ? { language } : {}),
        });
        return ids;
      })();
      const seeded = seedCatalog(till, { size: products, seed: 42 });
      till.db.transaction(() => {
        const stocked = till.db.prepare('SELECT id, cost FROM product ORDER BY rowid LIMIT ?').all(stockedProducts) as {
          id: string;
          cost: number | null;
        }[];
        stocked.forEach((p, i) => {
          recordMovement(till, {
            productId: p.id,
            locationId: shopFloor,
            kind: 'goods_in',
            quantity: 1000 * (12 + (i % 40)),
            unitCost: p.cost,
            reason: 'Opening stock',
            staffId: staffIds[1] ?? null,
          });
        });
      })();
      const sales = await demoHistory(till, staffIds[2] ?? '');
      writeSettings(till.store, { setupComplete: true });
      return { products: seeded.products, staff: demoStaff.map((s) => ({ ...s })), sales };
    },
  };
}
