/** The till's rotating log (db/log.ts) on a real temp folder: rotation, retention, redaction. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { logFileName, logFolder, openTillLog, type TillLog } from '../../db/log.ts';
import { TillError } from '../../shared/errors.ts';

const dirs: string[] = [];
const logs: TillLog[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tilldesk-'));
  dirs.push(dir);
  return dir;
}
function open(options: Parameters<typeof openTillLog>[0]): TillLog {
  const log = openTillLog(options);
  logs.push(log);
  return log;
}
afterEach(() => {
  for (const log of logs.splice(0)) log.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Every line in every log file, oldest file first. */
function readAll(dataDir: string): Record<string, unknown>[] {
  const files = readdirSync(logFolder(dataDir))
    .map((file) => ({ file, generation: file === logFileName ? 0 : Number(file.slice(logFileName.length + 1)) }))
    .sort((a, b) => b.generation - a.generation);
  return files.flatMap(({ file }) =>
    readFileSync(join(logFolder(dataDir), file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
}

describe('till log', () => {
  it('writes one JSON line per entry with time, level and message', () => {
    const dataDir = folder();
    const log = open({ dataDir, now: () => new Date('2025-03-01T09:00:00.000Z') });
    log.info('till started', { version: '1.2.3' });
    log.warn('sync offline', { attempt: 2 });
    log.error('receipt.print failed:', { error: new Error('paper out') });
    // As startTill reports (its `log` option): a message and the error, if any.
    const report = log.failure;
    report('scheduled backup failed:', new Error('disk full'));
    report('sync stopped');
    const lines = readAll(dataDir);
    expect(lines).toHaveLength(5);
    expect(lines[3]).toMatchObject({ level: 'error', msg: 'scheduled backup failed:', error: { message: 'disk full' } });
    expect(lines[4]).toEqual({ at: '2025-03-01T09:00:00.000Z', level: 'error', msg: 'sync stopped' });
    expect(lines[0]).toEqual({ at: '2025-03-01T09:00:00.000Z', level: 'info', msg: 'till started', version: '1.2.3' });
    expect(lines[1]).toMatchObject({ level: 'warn', msg: 'sync offline', attempt: 2 });
    expect(lines[2]).toMatchObject({ level: 'error', error: { name: 'Error', message: 'paper out' } });
    expect(String((lines[2]?.error as { stack?: string } | undefined)?.stack)).toContain('paper out');
    expect(log.path).toBe(join(dataDir, 'logs', 'tilldesk.log'));
  });

  it('rotates at the size limit, keeps N old files, drops the oldest, and no file outgrows the limit', () => {
    const dataDir = folder();
    const log = open({ dataDir, maxBytes: 2000, keep: 3 });
    for (let n = 0; n < 300; n++) log.info('sale completed', { n, number: `T01-${String(n).padStart(6, '0')}` });
    const files = readdirSync(logFolder(dataDir)).sort();
    expect(files).toEqual(['tilldesk.log', 'tilldesk.log.1', 'tilldesk.log.2', 'tilldesk.log.3']);
    for (const file of files) expect(statSync(join(logFolder(dataDir), file)).size).toBeLessThanOrEqual(2000);
    // What is kept is the newest lines, in order, with nothing missing in between.
    const kept = readAll(dataDir).map((line) => line.n as number);
    expect(kept.at(-1)).toBe(299);
    expect(kept.length).toBeGreaterThan(40);
    expect(kept.length).toBeLessThan(300);
    expect(kept).toEqual(kept.map((_, i) => (kept[0] as number) + i));
    console.log(`kept the last ${kept.length} of 300 lines in ${files.length} files of at most 2000 bytes`);
  });

  it('carries on where a restarted till left off: appends, and rotates by the size already on disk', () => {
    const dataDir = folder();
    const first = open({ dataDir, maxBytes: 1500, keep: 2 });
    for (let n = 0; n < 10; n++) first.info('before restart', { n });
    first.close();
    const sizeBefore = statSync(join(logFolder(dataDir), logFileName)).size;
    expect(sizeBefore).toBeGreaterThan(500);
    const second = open({ dataDir, maxBytes: 1500, keep: 2 });
    for (let n = 10; n < 40; n++) second.info('after restart', { n });
    const kept = readAll(dataDir).map((line) => line.n as number);
    expect(kept.at(-1)).toBe(39);
    expect(kept).toEqual(kept.map((_, i) => (kept[0] as number) + i));
    expect(existsSync(join(logFolder(dataDir), `${logFileName}.1`))).toBe(true);
    expect(existsSync(join(logFolder(dataDir), `${logFileName}.3`))).toBe(false);
  });

  it('never writes PINs, PIN hashes, tokens, enrolment codes or the inputs of staff and sync operations', () => {
    const dataDir = folder();
    const echoed: string[] = [];
    const log = open({ dataDir, echo: (line) => echoed.push(line) });
    const pin = '90817263';
    const token = 'tok_5fJq9ZxY2LmN8pQr';
    const code = 'KX7P-QM2D';
    const pinHash = 'scrypt$16384$8$1$c2FsdA$aGFzaGhhc2g';
    log.info('staff.signIn called', { op: 'staff.signIn', input: { staffId: 'staff-1', pin } });
    log.info('sync.enrol called', { operation: 'sync.enrol', body: { serverUrl: 'https://sync.example', code } });
    log.warn('override refused', {
      staffId: 'staff-2',
      override: { staffId: 'staff-3', pin },
      newPin: pin,
      pin_hash: pinHash,
      ownerPIN: pin,
    });
    log.info('enrolled', { deviceToken: token, token, headers: { Authorization: `Bearer ${token}`, accept: 'json' } });
    log.error(`push failed with Bearer ${token} at http://127.0.0.1:5180/?token=${token}`, {
      error: new TillError('unauthorized', 'revoked', `refused: authorization: Bearer ${token}`, { pin }),
      enrolmentCode: code,
      nested: [{ deep: { deeper: { password: 'hunter2-password', secret: 'shh-secret-value' } } }],
    });
    const text = readFileSync(log.path, 'utf8');
    for (const secret of [pin, token, code, pinHash, 'hunter2-password', 'shh-secret-value']) {
      expect(text).not.toContain(secret);
      expect(echoed.join('\n')).not.toContain(secret);
    }
    // What helps support stays: who, which address, which error.
    const lines = readAll(dataDir);
    expect(lines[0]).toMatchObject({ op: 'staff.signIn', input: '[redacted]' });
    expect(lines[2]).toMatchObject({ staffId: 'staff-2', override: '[redacted]', newPin: '[redacted]', pin_hash: '[redacted]' });
    expect(lines[3]).toMatchObject({ token: '[redacted]', headers: { Authorization: '[redacted]', accept: 'json' } });
    expect(lines[4]).toMatchObject({ error: { name: 'TillError', code: 'unauthorized', reason: 'revoked' } });
    expect(lines[4]?.msg).toBe('push failed with Bearer [redacted] at http://127.0.0.1:5180/?token=[redacted]');
  });

  it('keeps non-secret values that merely look alike (barcodes, product ids, other operations’ inputs)', () => {
    const dataDir = folder();
    const log = open({ dataDir });
    log.info('scan', { op: 'sale.addItem', input: { barcode: '5012345678900', productId: 'p-1' }, shipping: 'courier' });
    expect(readAll(dataDir)[0]).toMatchObject({
      input: { barcode: '5012345678900', productId: 'p-1' },
      shipping: 'courier',
    });
  });

  it('bounds what one entry can write: long strings, deep objects, big arrays, cycles', () => {
    const dataDir = folder();
    const log = open({ dataDir });
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) deep = { deep };
    log.info('odd input', { long: 'x'.repeat(100_000), deep, items: Array.from({ length: 1000 }, (_, i) => i), cycle });
    const size = statSync(log.path).size;
    expect(size).toBeLessThan(10_000);
    const line = readAll(dataDir)[0] ?? {};
    expect((line.cycle as Record<string, unknown>).self).toBe('[circular]');
    expect((line.items as unknown[]).length).toBe(51);
    expect(JSON.stringify(line.deep)).toContain('[too deep]');
  });

  it('never throws when the log cannot be written; it writes again once it can', () => {
    const dataDir = folder();
    writeFileSync(join(dataDir, 'logs'), 'a file where the logs folder should be');
    const echoed: string[] = [];
    const log = open({ dataDir, echo: (line) => echoed.push(line) });
    expect(() => log.error('disk trouble', { n: 1 })).not.toThrow();
    expect(() => log.error('disk trouble', { n: 2 })).not.toThrow();
    expect(echoed.filter((l) => l.startsWith('[tilldesk] cannot write'))).toHaveLength(1);
    rmSync(join(dataDir, 'logs'));
    mkdirSync(join(dataDir, 'logs'));
    log.info('disk fine again', { n: 3 });
    expect(readAll(dataDir).map((l) => l.n)).toEqual([3]);
  });
});
