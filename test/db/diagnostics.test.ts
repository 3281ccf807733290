/**
 * "Export diagnostics" on a real till in a temp folder: the bundle is a real .tar.gz that the
 * system's tar reads, its report says what the store really is, and nothing in it is a PIN,
 * a PIN hash, a token or an enrolment code.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { backupNow } from '../../db/backup.ts';
import { diagnosticsFolder, type diagnosticsReport } from '../../db/diagnostics.ts';
import { openTillLog } from '../../db/log.ts';
import { writeSettings } from '../../db/settings.ts';
import { saveEnrolment, settingTokenVault } from '../../db/sync.ts';
import type { DiagnosticsExport } from '../../shared/diagnostics.ts';
import { storeChecksum } from '../support/store-checksum.ts';
import { addStaff, makeShop, signIn } from '../support/till.ts';

const managerPin = '90817263';
const ownerPin = '64738291';
const token = 'tok_Zq8vN3xK7pL2mR9sT4wY6bC1';
const enrolmentCode = 'KX7P-QM2D';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A shop enrolled with a sync server, with staff whose PINs could not turn up by chance, and a log. */
function shop() {
  const t = makeShop();
  cleanups.push(() => t.close());
  const manager = addStaff(t.till, 'Mia Manager', 'manager', managerPin);
  addStaff(t.till, 'Otto Owner', 'owner', ownerPin);
  saveEnrolment(
    t.till,
    'https://sync.example.com',
    'Till 1',
    {
      deviceId: 'dev-1',
      token,
      storeId: 'corner',
      storeName: 'Corner Shop',
      currency: 'EUR',
      epoch: 'epoch-00000001',
      lastSeq: 0,
      locations: [],
    },
    settingTokenVault(t.till),
  );
  const log = openTillLog({ dataDir: t.dir, maxBytes: 4000, keep: 2 });
  cleanups.push(() => log.close());
  for (let n = 0; n < 150; n++) log.info('sale completed', { n });
  log.info('staff.signIn', { op: 'staff.signIn', input: { staffId: manager, pin: managerPin } });
  log.info('sync.enrol', { op: 'sync.enrol', input: { serverUrl: 'https://sync.example.com', code: enrolmentCode } });
  log.warn('override', { override: { staffId: manager, pin: ownerPin }, enrolmentCode });
  // A careless line the logger cannot recognise: the export still cuts the store's own token.
  log.error(`push refused for ${token}`);
  return { ...t, manager, log };
}

type Report = ReturnType<typeof diagnosticsReport>;

function unpack(bundle: DiagnosticsExport): { dir: string; text: string; report: Report } {
  const dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('tar', ['-xzf', bundle.path, '-C', dir]);
  const top = bundle.files[0]?.split('/')[0] ?? '';
  return {
    dir: join(dir, top),
    text: gunzipSync(readFileSync(bundle.path)).toString('latin1'),
    report: JSON.parse(readFileSync(join(dir, top, 'report.json'), 'utf8')),
  };
}

describe('diagnostics.export', () => {
  it('writes a .tar.gz in the data folder that the system tar lists and unpacks', async () => {
    const t = shop();
    signIn(t.till, t.manager);
    const bundle = await t.ok<DiagnosticsExport>('diagnostics.export', {});
    expect(bundle.path.startsWith(diagnosticsFolder(t.dir))).toBe(true);
    expect(bundle.path).toMatch(/tilldesk-diagnostics-\d{8}-\d{6}\.tar\.gz$/);
    const listed = execFileSync('tar', ['-tzf', bundle.path], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(bundle.files);
    expect(listed.map((f) => f.split('/').slice(1).join('/')).sort()).toEqual([
      'logs/tilldesk.log',
      'logs/tilldesk.log.1',
      'logs/tilldesk.log.2',
      'report.json',
    ]);
    const { dir } = unpack(bundle);
    // Logs arrive whole: the live file on disk, with only the token cut from the stray line.
    expect(readFileSync(join(dir, 'logs/tilldesk.log'), 'utf8')).toBe(
      readFileSync(t.log.path, 'utf8').replaceAll(token, '[redacted]'),
    );
    console.log(`diagnostics bundle: ${bundle.bytes} bytes, ${bundle.files.length} files`);
  });

  it('never holds a PIN, a PIN hash, the device token or an enrolment code', async () => {
    const t = shop();
    signIn(t.till, t.manager);
    const { text } = unpack(await t.ok<DiagnosticsExport>('diagnostics.export', {}));
    const hashes = (t.till.db.prepare('SELECT pin_hash FROM staff').all() as { pin_hash: string }[]).map((r) => r.pin_hash);
    expect(hashes).toHaveLength(5);
    for (const secret of [managerPin, ownerPin, token, enrolmentCode, ...hashes, 'scrypt$']) {
      expect(text).not.toContain(secret);
    }
    // The stray line is there, with the token cut out of it.
    expect(text).toContain('push refused for [redacted]');
  });

  it('reports what the store really is: versions, integrity, ledger, sync, outbox, settings, backups', async () => {
    const t = shop();
    signIn(t.till, t.manager);
    await backupNow(t.till);
    const { report } = unpack(await t.ok<DiagnosticsExport>('diagnostics.export', {}));
    const schema = t.till.db.pragma('user_version', { simple: true });
    expect(report.app).toEqual({ name: 'Tilldesk', version: 'test', transport: 'http' });
    expect(report.runtime.node).toBe(process.versions.node);
    expect(report.store).toMatchObject({
      schemaVersion: schema,
      integrityCheck: ['ok'],
      integrityAtOpen: 'ok',
      ok: true,
      journalMode: 'wal',
      installationId: t.till.deviceId,
    });
    expect(report.store.migrations.at(-1)?.version).toBe(schema);
    expect(report.store.counts).toMatchObject({ products: 4, activeStaff: 5, openShifts: 1 });
    expect(report.ledger).toEqual({ consistent: true, differences: [], total: 0 });
    expect(report.sync).toMatchObject({
      enrolled: true,
      serverUrl: 'https://sync.example.com',
      deviceId: 'dev-1',
      storeId: 'corner',
      epoch: 'epoch-00000001',
    });
    expect(report.settings.shopName).toBe('Corner Shop');
    expect(report.otherSettings.sync_token).toBe('[redacted]');
    expect(report.otherSettings.device_id).toBe(JSON.stringify(t.till.deviceId));
    expect(report.backups.files).toHaveLength(1);
    expect(report.logs.map((l) => l.file).sort()).toEqual(['tilldesk.log', 'tilldesk.log.1', 'tilldesk.log.2']);
  });

  it('shows a ledger that disagrees with on-hand, and the outbox by status', async () => {
    const t = shop();
    signIn(t.till, t.manager);
    await t.ok('stock.receive', { supplier: 'Acme', lines: [{ productId: t.products.milk, quantity: 12_000, unitCost: 80 }] });
    t.till.db.prepare('UPDATE stock_level SET on_hand = on_hand + 5 WHERE product_id = ?').run(t.products.milk);
    const { report } = unpack(await t.ok<DiagnosticsExport>('diagnostics.export', {}));
    expect(report.ledger).toMatchObject({ consistent: false, total: 1 });
    expect(report.ledger.differences[0]).toMatchObject({ productId: t.products.milk, onHand: 12_005, ledger: 12_000 });
    expect(report.sync.outbox).toEqual([expect.objectContaining({ status: 'waiting', n: 1 })]);
  });

  it('is for managers: a cashier is refused, nobody signed in is refused, and each export is audited', async () => {
    const t = shop();
    signIn(t.till, t.cashier);
    expect(await t.fails('diagnostics.export', {})).toMatchObject({ code: 'forbidden', reason: 'needs_role' });
    t.till.session.staffId = null;
    expect(await t.fails('diagnostics.export', {})).toMatchObject({ code: 'unauthorized' });
    expect(existsSync(diagnosticsFolder(t.dir))).toBe(false);
    signIn(t.till, t.manager);
    const bundle = await t.ok<DiagnosticsExport>('diagnostics.export', {});
    const audit = t.till.db.prepare("SELECT staff_id, subject FROM audit WHERE action = 'diagnostics.export'").all();
    expect(audit).toEqual([{ staff_id: t.manager, subject: bundle.path.split('/').at(-1) }]);
    expect(await t.fails('diagnostics.export', { extra: true })).toMatchObject({ code: 'invalid_input' });
  });

  it('says where it could not write, and leaves no half-written file', async () => {
    const t = shop();
    signIn(t.till, t.manager);
    writeFileSync(diagnosticsFolder(t.dir), 'a file where the folder should be');
    expect(await t.fails('diagnostics.export', {})).toMatchObject({
      code: 'unavailable',
      reason: 'diagnostics_failed',
      params: { folder: diagnosticsFolder(t.dir) },
    });
    rmSync(diagnosticsFolder(t.dir));
    const first = await t.ok<DiagnosticsExport>('diagnostics.export', {});
    const second = await t.ok<DiagnosticsExport>('diagnostics.export', {});
    expect(second.path).not.toBe(first.path);
    expect(existsSync(first.path) && existsSync(second.path)).toBe(true);
  });

  it('keeps the bundle it just wrote however many come in one second, ten in all, each audited', async () => {
    const t = makeShop({ now: () => new Date('2026-11-21T09:00:00Z') });
    cleanups.push(() => t.close());
    signIn(t.till, t.manager);
    const made: DiagnosticsExport[] = [];
    for (let i = 0; i < 12; i++) made.push(await t.ok<DiagnosticsExport>('diagnostics.export', {}));
    // Numbered in order (-10 after -9), so the ten kept are the ten newest.
    const kept = readdirSync(diagnosticsFolder(t.dir)).sort();
    const expected = made.slice(2).map((b) => b.path.split('/').at(-1));
    expect(kept).toEqual([...expected].sort());
    expect(made.at(-1)?.path).toMatch(/tilldesk-diagnostics-20261121-090000-12\.tar\.gz$/);
    const audited = t.till.db.prepare("SELECT count(*) FROM audit WHERE action = 'diagnostics.export'").pluck().get();
    expect(audited).toBe(12);
  });

  it('changes nothing in the store when it fails: no audit entry without a bundle, no bundle without one', async () => {
    const t = shop();
    signIn(t.till, t.manager);
    writeFileSync(diagnosticsFolder(t.dir), 'a file where the folder should be');
    let before = storeChecksum(t.till.db);
    expect(await t.fails('diagnostics.export', {})).toMatchObject({ reason: 'diagnostics_failed' });
    expect(storeChecksum(t.till.db)).toBe(before);
    rmSync(diagnosticsFolder(t.dir));
    // The audit entry cannot be written: the bundle written before it is taken back.
    t.till.db.exec("CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit refused'); END");
    before = storeChecksum(t.till.db);
    expect((await t.api.call('diagnostics.export', {})).ok).toBe(false);
    expect(storeChecksum(t.till.db)).toBe(before);
    expect(readdirSync(diagnosticsFolder(t.dir))).toEqual([]);
  });

  it('still exports when the backup folder is a file, and says why the backups are missing', async () => {
    const t = shop();
    signIn(t.till, t.manager);
    const folder = join(t.dir, 'not-a-folder');
    writeFileSync(folder, 'a file where the folder should be');
    writeSettings(t.till.store, { backupFolder: folder });
    const { report } = unpack(await t.ok<DiagnosticsExport>('diagnostics.export', {}));
    expect(report.backups).toMatchObject({ folder, files: [] });
    expect(report.backups.error).toContain(folder);
  });
});
