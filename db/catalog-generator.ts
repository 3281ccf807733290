import { embeddedBarcode, withCheckDigit } from '../shared/barcode.ts';
import type { Unit } from '../shared/catalog.ts';
import { TillError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import { seededRandom } from '../shared/random.ts';
import type { EmbeddedBarcodeRule } from '../shared/settings.ts';
import { type CatalogRow, writeCatalogCsv } from './catalog-csv.ts';
import { bulkCatalogWrite } from './catalog-search.ts';
import type { Till } from './till.ts';

/**
 * Realistic grocery and convenience catalogs of any size for demos, tests and benchmarks.
 * The same size and seed always give the same rows. Prices are minor units of a
 * two-digit currency (1.49 → 149); barcodes are EAN-13s in the GS1 restricted range 20
 * (never a real product's code) with correct check digits; weighed items carry a
 * variable-measure item code (22xxxxx weight, 21xxxxx price) under the default rules.
 */

export const generatedTaxClasses = [
  { name: 'Standard', rateBp: 2000 },
  { name: 'Reduced', rateBp: 500 },
  { name: 'Zero', rateBp: 0 },
] as const;
type TaxName = (typeof generatedTaxClasses)[number]['name'];

interface Item {
  name: string;
  sizes: readonly string[];
  /** Base-size price range in minor units (per kg for weighed items). */
  price: readonly [number, number];
  /** Sold loose over a scale (weight label) or as a pack with a printed price label. */
  label?: 'weight' | 'price';
}

interface Department {
  name: string;
  code: string;
  tax: TaxName;
  /** Relative share of the catalog. */
  share: number;
  brands: readonly string[];
  items: readonly Item[];
}

const departments: readonly Department[] = [
  {
    name: 'Dairy',
    code: 'DAI',
    tax: 'Zero',
    share: 14,
    brands: ['Meadowfield', 'Green Pasture', 'Hillside Farm', 'Nordic Dairy', 'Oak & Oat', 'Sunny Acres'],
    items: [
      { name: 'Whole Milk', sizes: ['1L', '2L', '4 Pints'], price: [89, 139] },
      { name: 'Semi-Skimmed Milk', sizes: ['1L', '2L', '4 Pints'], price: [85, 135] },
      { name: 'Oat Milk', sizes: ['1L', '500ml'], price: [149, 219] },
      { name: 'Almond Milk', sizes: ['1L'], price: [159, 229] },
      { name: 'Greek Yogurt', sizes: ['500g', '1kg', '4 x 125g'], price: [159, 289] },
      { name: 'Strawberry Yogurt', sizes: ['4 x 125g', '500g'], price: [119, 199] },
      { name: 'Salted Butter', sizes: ['250g', '500g'], price: [189, 329] },
      { name: 'Mature Cheddar', sizes: ['200g', '400g'], price: [219, 389] },
      { name: 'Mozzarella', sizes: ['125g', '250g'], price: [79, 159] },
      { name: 'Double Cream', sizes: ['300ml', '600ml'], price: [109, 189] },
      { name: 'Free Range Eggs', sizes: ['6 Pack', '12 Pack'], price: [179, 319] },
      { name: 'Cheddar from the Counter', sizes: ['per kg'], price: [899, 1499], label: 'weight' },
    ],
  },
  {
    name: 'Bakery',
    code: 'BAK',
    tax: 'Zero',
    share: 10,
    brands: ['Stonemill', 'Baker Street', 'Golden Crust', 'Village Oven'],
    items: [
      { name: 'Sourdough Loaf', sizes: ['800g', '400g'], price: [229, 399] },
      { name: 'White Sliced Bread', sizes: ['800g', '400g'], price: [99, 159] },
      { name: 'Wholemeal Bread', sizes: ['800g'], price: [119, 179] },
      { name: 'Seeded Batch', sizes: ['800g'], price: [159, 249] },
      { name: 'Butter Croissants', sizes: ['4 Pack', '8 Pack'], price: [169, 299] },
      { name: 'Bagels', sizes: ['5 Pack'], price: [149, 229] },
      { name: 'Brioche Buns', sizes: ['6 Pack'], price: [159, 239] },
      { name: 'Pain au Chocolat', sizes: ['4 Pack'], price: [199, 289] },
      { name: 'Carrot Cake', sizes: ['450g'], price: [299, 449] },
    ],
  },
  {
    name: 'Produce',
    code: 'PRO',
    tax: 'Zero',
    share: 12,
    brands: ['Orchard Gold', 'Green Valley', 'Field Fresh', 'Sunripe'],
    items: [
      { name: 'Loose Bananas', sizes: ['per kg'], price: [99, 169], label: 'weight' },
      { name: 'Vine Tomatoes', sizes: ['per kg'], price: [249, 399], label: 'weight' },
      { name: 'Gala Apples', sizes: ['6 Pack', '1kg'], price: [169, 269] },
      { name: 'Baby Spinach', sizes: ['200g', '100g'], price: [119, 189] },
      { name: 'Carrots', sizes: ['1kg', '500g'], price: [59, 99] },
      { name: 'Avocados', sizes: ['2 Pack', 'Each'], price: [119, 249] },
      { name: 'Blueberries', sizes: ['150g', '300g'], price: [199, 349] },
      { name: 'Red Onions', sizes: ['1kg'], price: [89, 139] },
      { name: 'Mixed Peppers', sizes: ['3 Pack'], price: [139, 199] },
      { name: 'Loose Mushrooms', sizes: ['per kg'], price: [299, 449], label: 'weight' },
    ],
  },
  {
    name: 'Deli',
    code: 'DEL',
    tax: 'Zero',
    share: 5,
    brands: ['Counter Select', 'Old Smokehouse', 'Mediterra'],
    items: [
      { name: 'Roast Ham Slices', sizes: ['priced pack'], price: [250, 650], label: 'price' },
      { name: 'Mixed Olives', sizes: ['per kg'], price: [1299, 1899], label: 'weight' },
      { name: 'Smoked Salmon', sizes: ['100g', '200g'], price: [349, 649] },
      { name: 'Hummus', sizes: ['200g', '300g'], price: [119, 199] },
      { name: 'Chorizo', sizes: ['225g'], price: [229, 329] },
    ],
  },
  {
    name: 'Drinks',
    code: 'DRI',
    tax: 'Standard',
    share: 16,
    brands: ['Fizzwell', 'Clearspring', 'Orchard Press', 'Highland Spring Co', 'Brewhouse', 'Citrus Bay'],
    items: [
      { name: 'Sparkling Water', sizes: ['500ml', '1.5L', '6 x 500ml'], price: [59, 119] },
      { name: 'Still Water', sizes: ['500ml', '1.5L', '6 x 1.5L'], price: [49, 99] },
      { name: 'Orange Juice', sizes: ['1L', '250ml'], price: [129, 219] },
      { name: 'Apple Juice', sizes: ['1L'], price: [119, 199] },
      { name: 'Cola', sizes: ['330ml', '1.5L', '6 x 330ml'], price: [79, 179] },
      { name: 'Lemonade', sizes: ['330ml', '2L'], price: [69, 159] },
      { name: 'Iced Tea Peach', sizes: ['500ml'], price: [119, 179] },
      { name: 'Ground Coffee', sizes: ['227g', '500g'], price: [349, 599] },
      { name: 'Tea Bags', sizes: ['80 Pack', '160 Pack'], price: [199, 379] },
      { name: 'Energy Drink', sizes: ['250ml', '500ml'], price: [99, 169] },
    ],
  },
  {
    name: 'Snacks',
    code: 'SNA',
    tax: 'Standard',
    share: 14,
    brands: ['Crunchers', 'Golden Valley', 'Nutty Co', 'Sweet Tooth', 'Chocwell'],
    items: [
      { name: 'Sea Salt Crisps', sizes: ['150g', '6 x 25g'], price: [119, 199] },
      { name: 'Salt & Vinegar Crisps', sizes: ['150g', '6 x 25g'], price: [119, 199] },
      { name: 'Tortilla Chips', sizes: ['200g'], price: [129, 189] },
      { name: 'Milk Chocolate Bar', sizes: ['100g', '45g'], price: [79, 189] },
      { name: 'Dark Chocolate Bar', sizes: ['100g'], price: [129, 249] },
      { name: 'Salted Peanuts', sizes: ['200g'], price: [109, 169] },
      { name: 'Flapjack', sizes: ['4 Pack'], price: [169, 249] },
      { name: 'Digestive Biscuits', sizes: ['400g'], price: [89, 149] },
      { name: 'Pick & Mix Sweets', sizes: ['per kg'], price: [1099, 1599], label: 'weight' },
    ],
  },
  {
    name: 'Pantry',
    code: 'PAN',
    tax: 'Zero',
    share: 13,
    brands: ['Cupboard King', 'Bella Cucina', 'Spice Route', 'Harvest Table'],
    items: [
      { name: 'Spaghetti', sizes: ['500g', '1kg'], price: [79, 159] },
      { name: 'Basmati Rice', sizes: ['1kg', '500g'], price: [159, 299] },
      { name: 'Chopped Tomatoes', sizes: ['400g', '4 x 400g'], price: [49, 199] },
      { name: 'Baked Beans', sizes: ['415g', '4 x 415g'], price: [69, 249] },
      { name: 'Olive Oil', sizes: ['500ml', '1L'], price: [399, 749] },
      { name: 'Porridge Oats', sizes: ['1kg', '500g'], price: [109, 189] },
      { name: 'Peanut Butter', sizes: ['340g'], price: [189, 299] },
      { name: 'Strawberry Jam', sizes: ['340g'], price: [129, 219] },
      { name: 'Plain Flour', sizes: ['1.5kg'], price: [79, 129] },
    ],
  },
  {
    name: 'Frozen',
    code: 'FRO',
    tax: 'Zero',
    share: 6,
    brands: ['Polar Kitchen', 'Iceberg', 'Frostfield'],
    items: [
      { name: 'Garden Peas', sizes: ['900g'], price: [119, 179] },
      { name: 'Margherita Pizza', sizes: ['350g'], price: [199, 349] },
      { name: 'Oven Chips', sizes: ['1.5kg'], price: [179, 259] },
      { name: 'Fish Fingers', sizes: ['10 Pack'], price: [199, 299] },
    ],
  },
  {
    name: 'Household',
    code: 'HOU',
    tax: 'Standard',
    share: 8,
    brands: ['Sparkle', 'HomeCare', 'Ecoleaf', 'Brightwash'],
    items: [
      { name: 'Washing Up Liquid', sizes: ['450ml', '900ml'], price: [99, 199] },
      { name: 'Laundry Capsules', sizes: ['20 Pack', '40 Pack'], price: [449, 899] },
      { name: 'Toilet Roll', sizes: ['9 Pack', '4 Pack'], price: [229, 549] },
      { name: 'Kitchen Roll', sizes: ['2 Pack'], price: [179, 299] },
      { name: 'Bin Bags', sizes: ['20 Pack'], price: [149, 249] },
      { name: 'Multi-Surface Spray', sizes: ['500ml'], price: [129, 219] },
    ],
  },
  {
    name: 'Health',
    code: 'HEA',
    tax: 'Reduced',
    share: 2,
    brands: ['Wellwise', 'PureCare'],
    items: [
      { name: 'Nicotine Patches', sizes: ['7 Pack', '14 Pack'], price: [899, 1599] },
      { name: 'Maternity Pads', sizes: ['10 Pack'], price: [199, 299] },
    ],
  },
];

const variants: readonly { word: string; factor: number }[] = [
  { word: '', factor: 1 },
  { word: '', factor: 1 },
  { word: 'Organic', factor: 1.3 },
  { word: 'Value', factor: 0.7 },
  { word: 'Finest', factor: 1.45 },
  { word: 'Free From', factor: 1.2 },
  { word: 'Family', factor: 1.6 },
];

export interface GenerateOptions {
  size: number;
  seed: number;
}

/** Shop prices end in 9: 1.49, 2.99, 12.99. */
function shelfPrice(minor: number): number {
  if (minor >= 1000) return Math.max(99, Math.round(minor / 100) * 100 - 1);
  return Math.max(9, Math.round(minor / 10) * 10 - 1);
}

const weightRule: EmbeddedBarcodeRule = { prefix: '22', kind: 'weight', itemDigits: 5, valueDigits: 5 };
const priceRule: EmbeddedBarcodeRule = { prefix: '21', kind: 'price', itemDigits: 5, valueDigits: 5 };
const labelItemCodes = 100_000;

export function generateCatalog({ size, seed }: GenerateOptions): CatalogRow[] {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`size must be a whole number, got ${size}`);
  const next = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const shares = departments.reduce((sum, d) => sum + d.share, 0);
  const brandOf = new Map<string, number>(); // brand → its 4-digit "company prefix"
  for (const d of departments) for (const b of d.brands) brandOf.set(b, 1000 + brandOf.size * 37);
  const itemRefs = new Map<string, number>(); // brand → next 6-digit item reference
  const labelCodes = { weight: 0, price: 0 };

  const gtin = (brand: string): string => {
    const ref = itemRefs.get(brand) ?? 0;
    if (ref > 999_999) throw new RangeError('Catalog too large for the generated barcode range');
    itemRefs.set(brand, ref + 1);
    return withCheckDigit(`20${brandOf.get(brand)}${String(ref).padStart(6, '0')}`);
  };

  const rows: CatalogRow[] = [];
  for (let i = 0; i < size; i++) {
    let roll = next() * shares;
    let dept = departments[0] as Department;
    for (const d of departments) {
      dept = d;
      roll -= d.share;
      if (roll < 0) break;
    }
    const brand = pick(dept.brands);
    let item = pick(dept.items);
    // Loose and counter items are rarer than packaged ones (about 3 % of the catalog).
    if (item.label && next() < 0.7) item = pick(dept.items);
    const labelled = item.label !== undefined && labelCodes[item.label] < labelItemCodes;
    const sizeIndex = Math.floor(next() * item.sizes.length);
    const variant = labelled ? { word: '', factor: 1 } : pick(variants);
    const [low, high] = item.price;
    const base = low + next() * (high - low);
    const price = shelfPrice(base * variant.factor * (1 + 0.8 * sizeIndex));
    const label = labelled ? item.label : undefined;
    const unit: Unit = label === 'weight' ? 'weight' : 'each';
    const words = [brand, variant.word, item.name, label === 'weight' ? '' : item.sizes[sizeIndex]];
    const barcodes: string[] = [];
    if (label) {
      const rule = label === 'weight' ? weightRule : priceRule;
      barcodes.push(`${rule.prefix}${String(labelCodes[label]++).padStart(rule.itemDigits, '0')}`);
    } else {
      barcodes.push(gtin(brand));
      if (next() < 0.12) barcodes.push(gtin(brand)); // a second code: a new pack design or a multipack
    }
    const netRate = 1 + (generatedTaxClasses.find((t) => t.name === dept.tax)?.rateBp ?? 0) / 10_000;
    rows.push({
      sku: `${dept.code}-${String(i + 1).padStart(7, '0')}`,
      name: words.filter(Boolean).join(' '),
      barcodes,
      category: dept.name,
      unit,
      price,
      taxClass: dept.tax,
      cost: next() < 0.05 ? null : Math.round((price / netRate) * (0.55 + next() * 0.25)),
      reorderPoint: unit === 'weight' ? (1 + Math.floor(next() * 5)) * 1000 : pick([0, 3, 6, 12, 24]) * 1000,
      active: next() >= 0.02,
    });
  }
  return rows;
}

/** The CSV of generated rows, for import tests and demos (a two-digit currency such as EUR). */
export function catalogToCsv(rows: readonly CatalogRow[], currency = 'EUR'): string {
  return writeCatalogCsv(rows, currency);
}

export interface SeedReport {
  products: number;
  barcodes: number;
  ms: number;
}

/**
 * Fills an empty catalog with a generated one in one transaction, with prepared
 * statements and the search index built once at the end. Tax classes and categories are
 * created by name when missing. Demo data: no audit entries and no outbox ops.
 */
export function seedCatalog(till: Till, options: GenerateOptions): SeedReport {
  const started = performance.now();
  const { db } = till;
  let rows: CatalogRow[] = [];
  const at = till.now().toISOString();
  const taxIds = new Map<string, string>();
  const categoryIds = new Map<string, string>();
  let barcodes = 0;
  db.transaction(() => {
    if (db.prepare('SELECT 1 FROM product LIMIT 1').get()) {
      throw new TillError('conflict', 'catalog_not_empty', 'Demo products can only be added to an empty catalog');
    }
    rows = generateCatalog(options);
    const findTax = db.prepare<[string], { id: string }>('SELECT id FROM tax_class WHERE name = ? COLLATE NOCASE');
    const addTax = db.prepare('INSERT INTO tax_class (id, name, rate_bp) VALUES (?, ?, ?)');
    for (const t of generatedTaxClasses) {
      const found = findTax.get(t.name);
      const id = found?.id ?? uuidv7(till.now().getTime());
      if (!found) addTax.run(id, t.name, t.rateBp);
      taxIds.set(t.name, id);
    }
    const findCategory = db.prepare<[string], { id: string }>('SELECT id FROM category WHERE name = ? COLLATE NOCASE');
    const addCategory = db.prepare('INSERT INTO category (id, name, position, active) VALUES (?, ?, ?, 1)');
    departments.forEach((d, position) => {
      const found = findCategory.get(d.name);
      const id = found?.id ?? uuidv7(till.now().getTime());
      if (!found) addCategory.run(id, d.name, position);
      categoryIds.set(d.name, id);
    });
    const addProduct = db.prepare(
      `INSERT INTO product (id, sku, name, category_id, unit, price, tax_class_id, cost, reorder_point, active, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const addBarcode = db.prepare('INSERT INTO barcode (code, product_id) VALUES (?, ?)');
    bulkCatalogWrite(db, (index) => {
      const now = till.now().getTime();
      for (const row of rows) {
        const id = uuidv7(now);
        const { lastInsertRowid } = addProduct.run(
          id,
          row.sku,
          row.name,
          categoryIds.get(row.category) ?? null,
          row.unit,
          row.price,
          taxIds.get(row.taxClass),
          row.cost,
          row.reorderPoint,
          row.active ? 1 : 0,
          at,
        );
        for (const code of row.barcodes) addBarcode.run(code, id);
        barcodes += row.barcodes.length;
        index({ rowid: Number(lastInsertRowid), name: row.name, sku: row.sku, barcodes: row.barcodes, replaces: false });
      }
    });
  })();
  return { products: rows.length, barcodes, ms: Math.round(performance.now() - started) };
}

/** The label a scale prints for a generated weighed item, e.g. for demos and tests. */
export function scaleLabel(itemCode: string, grams: number): string {
  return embeddedBarcode(weightRule, itemCode.slice(weightRule.prefix.length), grams);
}
