import { afterEach, describe, expect, it } from 'vitest';
import type { Customer, CustomerDetail, CustomerSummary, NotePage, SupportNote } from '../../shared/customer.ts';
import type { Order } from '../../shared/sale.ts';
import { makeShop, signIn } from '../support/till.ts';

type Shop = ReturnType<typeof makeShop>;
let shop: Shop;
afterEach(() => shop?.close());

function counts(s: Shop) {
  const n = (table: string) => (s.till.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { customers: n('customer'), notes: n('support_note'), audit: n('audit'), outbox: n('outbox') };
}

/** A shop whose clock the test moves by hand. */
function shopAt(start: string) {
  let clock = Date.parse(start);
  const s = makeShop({ now: () => new Date(clock) });
  return Object.assign(s, {
    advance(minutes: number) {
      clock += minutes * 60_000;
      s.till.session.lastActivityAt = clock;
    },
  });
}

async function sale(s: Shop, customerId: string | null): Promise<Order> {
  await s.ok('sale.addItem', { productId: s.products.milk });
  if (customerId) await s.ok('sale.attachCustomer', { customerId });
  return s.ok<Order>('sale.complete', { tenders: [{ kind: 'cash', amount: 500 }] });
}

describe('customers', () => {
  it('creates and edits a customer, normalising blanks, recording consent, auditing and syncing each change', async () => {
    const s = shopAt('2025-03-01T09:00:00Z');
    shop = s;
    const created = await s.ok<Customer>('customer.save', {
      name: '  Aoife Murphy ',
      phone: '+353 (87) 123-4567',
      email: ' Aoife@Example.com ',
      notes: '',
      marketingConsent: true,
    });
    expect(created).toMatchObject({
      name: 'Aoife Murphy',
      phone: '+353 (87) 123-4567',
      email: 'Aoife@Example.com',
      notes: null,
      marketingConsent: true,
      marketingConsentAt: '2025-03-01T09:00:00.000Z',
      createdAt: '2025-03-01T09:00:00.000Z',
    });
    const row = s.till.db.prepare('SELECT phone_digits FROM customer WHERE id = ?').get(created.id);
    expect(row).toEqual({ phone_digits: '353871234567' });

    s.advance(60);
    const before = counts(s);
    const edited = await s.ok<Customer>('customer.save', {
      id: created.id,
      name: 'Aoife Murphy',
      phone: '+353 (87) 123-4567',
      email: 'Aoife@Example.com',
      notes: 'Prefers oat milk',
      marketingConsent: false,
    });
    expect(edited).toMatchObject({ notes: 'Prefers oat milk', marketingConsent: false, marketingConsentAt: null });
    expect(edited.updatedAt).toBe('2025-03-01T10:00:00.000Z');
    expect(counts(s)).toEqual({ ...before, audit: before.audit + 1, outbox: before.outbox + 1 });
    const audit = s.till.db
      .prepare("SELECT action, subject, before, after FROM audit WHERE action LIKE 'customer.%' ORDER BY id")
      .all();
    expect(audit).toEqual([
      {
        action: 'customer.created',
        subject: created.id,
        before: null,
        after: JSON.stringify({ changed: ['created'], marketingConsent: true }),
      },
      {
        action: 'customer.updated',
        subject: created.id,
        before: JSON.stringify({ marketingConsent: true }),
        after: JSON.stringify({ changed: ['notes', 'marketingConsent'], marketingConsent: false }),
      },
    ]);
    // Nothing to say about a form saved unchanged.
    const same = counts(s);
    const { id, name, phone, email, notes, marketingConsent } = edited;
    await s.ok('customer.save', { id, name, phone, email, notes, marketingConsent });
    expect(counts(s)).toEqual(same);
  });

  it('refuses bad shapes, too-long fields, unknown ids and a second customer with the same email, writing nothing', async () => {
    shop = makeShop();
    await shop.ok('customer.save', { name: 'Liam Kelly', email: 'liam@example.com' });
    const before = counts(shop);
    const bad: [unknown, string][] = [
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(121) }, 'name'],
      [{ name: 'Bell\u0007' }, 'name'],
      [{ name: 'A', email: 'not-an-email' }, 'email'],
      [{ name: 'A', email: `${'a'.repeat(250)}@b.ie` }, 'email'],
      [{ name: 'A', phone: 'call me' }, 'phone'],
      [{ name: 'A', phone: '12-34' }, 'phone'],
      [{ name: 'A', phone: '1'.repeat(33) }, 'phone'],
      [{ name: 'A', notes: 'n'.repeat(1001) }, 'notes'],
      [{ name: 'A', marketingConsent: 'yes' }, 'marketingConsent'],
      [{ name: 'A', vip: true }, ''],
    ];
    for (const [input, path] of bad) {
      const error = await shop.fails('customer.save', input);
      expect(error.code, JSON.stringify(input)).toBe('invalid_input');
      if (path) expect(error.issues?.map((i) => i.path)).toContain(path);
    }
    expect(await shop.fails('customer.save', { id: 'nobody', name: 'A' })).toMatchObject({
      code: 'not_found',
      reason: 'unknown_customer',
    });
    expect(await shop.fails('customer.save', { name: 'Impostor', email: 'LIAM@example.com' })).toMatchObject({
      code: 'conflict',
      reason: 'duplicate_customer_email',
      params: { email: 'LIAM@example.com', name: 'Liam Kelly' },
    });
    expect(counts(shop)).toEqual(before);
  });

  it('finds customers by part of a name, by phone digits whatever the separators, and by email', async () => {
    const s = shopAt('2025-03-01T09:00:00Z');
    shop = s;
    const save = (name: string, phone: string | null, email: string | null) => {
      s.advance(1);
      return shop.ok<Customer>('customer.save', { name, phone, email });
    };
    const aoife = await save('Aoife Murphy', '087 123 4567', 'aoife@example.com');
    const wei = await save('Wei Chen', '+86 138-0013-8000', 'wei.chen@example.cn');
    const murphy = await save('Seán Murphy', null, 'sean@murphy.ie');
    await save('50%_off Fan', null, null);
    const names = async (query: string) => (await shop.ok<CustomerSummary[]>('customer.search', { query })).map((c) => c.name);

    expect(await names('murphy')).toEqual(['Aoife Murphy', 'Seán Murphy']);
    expect(await names('Seán')).toEqual(['Seán Murphy']);
    // Names starting with the query first.
    expect(await names('mu')).toEqual(['Aoife Murphy', 'Seán Murphy']);
    expect(await names('0871234567')).toEqual(['Aoife Murphy']);
    expect(await names('087-123')).toEqual(['Aoife Murphy']);
    expect(await names('13800138000')).toEqual(['Wei Chen']);
    expect(await names('example.cn')).toEqual(['Wei Chen']);
    expect(await names('%_')).toEqual(['50%_off Fan']);
    expect(await names('nobody')).toEqual([]);
    // Empty: newest first.
    expect((await names('')).slice(0, 3)).toEqual(['50%_off Fan', 'Seán Murphy', 'Wei Chen']);
    expect(await shop.ok<CustomerSummary[]>('customer.search', { query: 'murphy', limit: 1 })).toHaveLength(1);
    expect([aoife.id, wei.id, murphy.id].every(Boolean)).toBe(true);
  });

  it('gives the till a customer with their open notes and what they have spent', async () => {
    const s = shopAt('2025-03-01T09:00:00Z');
    shop = s;
    const c = await s.ok<Customer>('customer.save', { name: 'Wei Chen' });
    const first = await sale(s, c.id);
    s.advance(10);
    await sale(s, c.id);
    await sale(s, null);
    s.advance(10);
    const complaint = await s.ok<SupportNote>('note.open', { customerId: c.id, category: 'complaint', body: 'Milk was sour' });
    s.advance(10);
    const question = await s.ok<SupportNote>('note.open', {
      orderId: first.id,
      category: 'question',
      body: 'Asks for a VAT receipt',
    });
    const detail = await s.ok<CustomerDetail>('customer.get', { id: c.id });
    expect(detail.customer.name).toBe('Wei Chen');
    expect(detail.openNotes.map((n) => n.id)).toEqual([question.id, complaint.id]);
    expect(detail.orders).toEqual({ count: 2, spent: 2 * 199, lastAt: '2025-03-01T09:10:00.000Z' });
    expect((await s.ok<CustomerSummary[]>('customer.search', { query: 'wei' }))[0]?.openNotes).toBe(2);
    await s.ok('note.resolve', { id: complaint.id, resolution: 'Refunded the milk' });
    expect((await s.ok<CustomerDetail>('customer.get', { id: c.id })).openNotes.map((n) => n.id)).toEqual([question.id]);
    expect(await s.fails('customer.get', { id: 'nobody' })).toMatchObject({ reason: 'unknown_customer' });
  });
});

describe('support notes', () => {
  it('opens a note on an order, takes the order’s customer, resolves it once with author and time', async () => {
    const s = shopAt('2025-03-02T10:00:00Z');
    shop = s;
    const c = await s.ok<Customer>('customer.save', { name: 'Aoife Murphy' });
    const order = await sale(s, c.id);
    const before = counts(s);
    const note = await s.ok<SupportNote>('note.open', {
      orderId: order.id,
      category: 'return',
      body: 'Wants to return the milk\nunopened',
    });
    expect(note).toMatchObject({
      customerId: c.id,
      customerName: 'Aoife Murphy',
      orderId: order.id,
      orderNumber: order.number,
      category: 'return',
      body: 'Wants to return the milk\nunopened',
      status: 'open',
      resolution: null,
      author: { id: shop.cashier, name: 'Ada Cashier' },
      createdAt: '2025-03-02T10:00:00.000Z',
      resolvedBy: null,
      resolvedAt: null,
    });
    expect(counts(s)).toEqual({ ...before, notes: before.notes + 1, audit: before.audit + 1, outbox: before.outbox + 1 });

    s.advance(30);
    signIn(s.till, s.manager);
    const resolved = await s.ok<SupportNote>('note.resolve', { id: note.id, resolution: 'Returned and refunded' });
    expect(resolved).toMatchObject({
      status: 'resolved',
      resolution: 'Returned and refunded',
      resolvedBy: { id: s.manager, name: 'Max Manager' },
      resolvedAt: '2025-03-02T10:30:00.000Z',
      author: { id: s.cashier },
    });
    const after = counts(s);
    expect(await s.fails('note.resolve', { id: note.id, resolution: 'Again' })).toMatchObject({
      code: 'conflict',
      reason: 'note_already_resolved',
    });
    expect(counts(s)).toEqual(after);
    const ops = s.till.db.prepare("SELECT type FROM outbox WHERE type LIKE 'note.%' ORDER BY seq").pluck().all();
    expect(ops).toEqual(['note.opened', 'note.resolved']);
    const audit = s.till.db.prepare("SELECT action, subject, staff_id FROM audit WHERE action LIKE 'note.%' ORDER BY id").all();
    expect(audit).toEqual([
      { action: 'note.opened', subject: order.id, staff_id: s.cashier },
      { action: 'note.resolved', subject: order.id, staff_id: s.manager },
    ]);
  });

  it('refuses notes about nothing, unknown or unfinished orders, another customer’s order, and bad fields, writing nothing', async () => {
    shop = makeShop();
    const a = await shop.ok<Customer>('customer.save', { name: 'A' });
    const b = await shop.ok<Customer>('customer.save', { name: 'B' });
    const order = await sale(shop, a.id);
    await shop.ok('sale.addItem', { productId: shop.products.bread });
    const open = await shop.ok<Order>('sale.current', {});
    const before = counts(shop);
    const invalid = [
      { category: 'question', body: 'About nothing' },
      { customerId: a.id, category: 'gossip', body: 'x' },
      { customerId: a.id, category: 'question', body: '' },
      { customerId: a.id, category: 'question', body: 'x'.repeat(2001) },
      { customerId: a.id, category: 'question', body: 'bell \u0007' },
      { customerId: a.id, category: 'question', body: 'x', status: 'resolved' },
    ];
    for (const input of invalid) expect((await shop.fails('note.open', input)).code, JSON.stringify(input)).toBe('invalid_input');
    expect(await shop.fails('note.open', { customerId: 'ghost', category: 'question', body: 'x' })).toMatchObject({
      reason: 'unknown_customer',
    });
    expect(await shop.fails('note.open', { orderId: 'ghost', category: 'question', body: 'x' })).toMatchObject({
      reason: 'unknown_order',
    });
    expect(await shop.fails('note.open', { orderId: open.id, category: 'question', body: 'x' })).toMatchObject({
      code: 'rejected',
      reason: 'note_order_not_completed',
    });
    expect(
      await shop.fails('note.open', { customerId: b.id, orderId: order.id, category: 'complaint', body: 'x' }),
    ).toMatchObject({
      code: 'rejected',
      reason: 'note_customer_mismatch',
      params: { number: order.number },
    });
    expect(await shop.fails('note.resolve', { id: 'ghost', resolution: 'x' })).toMatchObject({ reason: 'unknown_note' });
    expect((await shop.fails('note.resolve', { id: 'ghost', resolution: ' ' })).code).toBe('invalid_input');
    expect(counts(shop)).toEqual(before);
  });

  it('lists the inbox newest first with each filter, a page at a time', async () => {
    const s = shopAt('2025-04-01T08:00:00Z');
    shop = s;
    const a = await s.ok<Customer>('customer.save', { name: 'Aoife' });
    const b = await s.ok<Customer>('customer.save', { name: 'Bram' });
    const order = await sale(s, b.id);
    const open = async (input: object) => {
      s.advance(60);
      return (await s.ok<SupportNote>('note.open', input)).id;
    };
    const n1 = await open({ customerId: a.id, category: 'question', body: 'Opening hours?' }); // 09:00 Apr 1
    const n2 = await open({ customerId: b.id, category: 'complaint', body: 'Queue too long' }); // 10:00
    const n3 = await open({ orderId: order.id, category: 'return', body: 'Wrong size' }); // 11:00
    s.advance(24 * 60);
    const n4 = await open({ customerId: a.id, category: 'feedback', body: 'Lovely bread' }); // 12:00 Apr 2
    const n5 = await open({ customerId: a.id, category: 'complaint', body: 'Card reader slow' }); // 13:00 Apr 2
    await s.ok('note.resolve', { id: n2, resolution: 'Added a second till' });
    await s.ok('note.resolve', { id: n4, resolution: 'Thanked' });

    const ids = async (filter: object) => (await s.ok<NotePage>('note.list', filter)).notes.map((n) => n.id);
    expect(await ids({})).toEqual([n5, n4, n3, n2, n1]);
    expect(await ids({ status: 'open' })).toEqual([n5, n3, n1]);
    expect(await ids({ status: 'resolved' })).toEqual([n4, n2]);
    expect(await ids({ category: 'complaint' })).toEqual([n5, n2]);
    expect(await ids({ customerId: a.id })).toEqual([n5, n4, n1]);
    expect(await ids({ customerId: b.id })).toEqual([n3, n2]);
    expect(await ids({ orderId: order.id })).toEqual([n3]);
    expect(await ids({ from: '2025-04-02T00:00:00Z' })).toEqual([n5, n4]);
    expect(await ids({ from: '2025-04-01T09:30:00Z', to: '2025-04-02T12:00:00Z' })).toEqual([n3, n2]);
    expect(await ids({ status: 'open', category: 'complaint', customerId: a.id })).toEqual([n5]);

    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page: NotePage = await s.ok<NotePage>('note.list', { limit: 2, ...(after ? { after } : {}) });
      seen.push(...page.notes.map((n) => n.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toEqual([n5, n4, n3, n2, n1]);
    expect((await s.fails('note.list', { from: '2025-04-02T00:00:00Z', to: '2025-04-01T00:00:00Z' })).code).toBe('invalid_input');
    expect((await s.fails('note.list', { after: 'garbage' })).code).toBe('invalid_input');
    expect((await s.fails('note.list', { limit: 1000 })).code).toBe('invalid_input');
  });

  it('needs someone signed in', async () => {
    shop = makeShop();
    shop.till.session.staffId = null;
    expect((await shop.fails('customer.search', { query: '' })).code).toBe('unauthorized');
    expect((await shop.fails('note.open', { customerId: 'x', category: 'question', body: 'x' })).code).toBe('unauthorized');
  });
});
