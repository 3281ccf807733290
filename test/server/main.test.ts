/**
 * The server as it is run: `node server/main.ts` in its own process (PGlite in a data
 * folder, or PostgreSQL through DATABASE_URL), set up and inspected with the admin CLI.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { syncSchemaVersion } from '../../shared/sync.ts';
import { backends, call, freshPostgresDatabase, pgliteTemplate, saleOp } from './harness.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

describe.each(backends())('server process and admin CLI on %s', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'tilldesk-server-'));
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await drop?.();
  });

  async function environment(): Promise<NodeJS.ProcessEnv> {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', TILLDESK_SERVER_DATA: join(dir, 'db') };
    delete env.DATABASE_URL;
    // The data folder starts as a migrated empty database (as the server's first run leaves
    // it): PGlite's initdb in every CLI test run would cost seconds.
    if (backend === 'pglite') {
      const lite = await PGlite.create({ dataDir: env.TILLDESK_SERVER_DATA ?? '', loadDataDir: await pgliteTemplate() });
      await lite.close();
    }
    if (backend === 'postgres') {
      const fresh = await freshPostgresDatabase();
      drop = fresh.drop;
      env.DATABASE_URL = fresh.url;
    }
    return env;
  }
  const admin = (env: NodeJS.ProcessEnv, ...args: string[]) =>
    run(process.execPath, [join(root, 'server/admin.ts'), ...args], { env, cwd: root }).then((r) => r.stdout.trim());

  it('is set up by the CLI, serves a till, stops on SIGTERM, and is inspected by the CLI', async () => {
    const env = await environment();
    expect(await admin(env, 'create-store', '--id', 'north', '--name', 'North Street')).toBe('Store north created');
    // Each CLI run on PGlite starts the embedded database (about a second): the catalog
    // import and revocation by CLI run on PostgreSQL; on PGlite they are covered in-process.
    const full = backend === 'postgres';
    const csv = join(dir, 'catalog.csv');
    writeFileSync(
      csv,
      'sku,name,barcodes,category,unit,price,tax_class,cost,active\nMILK,Oat Milk 1L,4006381333931,Dairy,each,1.99,VAT 5%,0.80,1\n',
    );
    if (full) expect(JSON.parse(await admin(env, 'import-catalog', csv))).toMatchObject({ rows: 1, created: 1, errors: [] });
    const { code } = JSON.parse(await admin(env, 'create-code', '--store', 'north', '--json')) as { code: string };
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);

    const server = spawn(process.execPath, [join(root, 'server/main.ts')], {
      env: { ...env, PORT: '0' },
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          for (const line of out.split('\n')) {
            if (!line.startsWith('{')) continue;
            const entry = JSON.parse(line) as { msg?: string; port?: number };
            if (entry.msg === 'listening' && entry.port) resolve(entry.port);
          }
        });
        server.on('exit', () => reject(new Error(`server exited early: ${out}`)));
      });
      const url = `http://127.0.0.1:${port}`;
      expect((await call(url, '/health/ready', null)).body).toEqual({ ok: true, database: backend });
      const enrolled = await call(url, '/v1/sync/enrol', null, {
        code,
        deviceName: 'Till 1',
        installId: 'i1',
        schemaVersion: syncSchemaVersion,
        firstSeq: 1,
      });
      expect(enrolled.status).toBe(200);
      const token = String(enrolled.body.token);
      const deviceId = String(enrolled.body.deviceId);
      const pulled = await call(url, `/v1/sync/pull?schemaVersion=${syncSchemaVersion}`, token);
      const milk = (pulled.body.products as { id: string; sku: string; price: number }[])[0];
      if (full) expect(milk).toMatchObject({ sku: 'MILK', price: 199 });
      const pushed = await call(url, '/v1/sync/push', token, {
        deviceId,
        epoch: enrolled.body.epoch,
        schemaVersion: syncSchemaVersion,
        ops: [saleOp(1, [{ productId: milk?.id ?? 'unknown-product' }])],
      });
      expect(pushed.body).toMatchObject({ lastSeq: 1, results: [{ status: 'applied' }] });
      server.kill('SIGTERM');
      expect(await exited).toBe(0);

      const devices = JSON.parse(await admin(env, 'list-devices', '--json')) as {
        id: string;
        lastSeq: number;
        revokedAt: string | null;
      }[];
      expect(devices).toEqual([expect.objectContaining({ id: deviceId, lastSeq: 1, revokedAt: null })]);
      if (full) expect(await admin(env, 'revoke-device', deviceId)).toBe(`Device ${deviceId} revoked`);
      expect(await admin(env, 'check')).toBe('Stock equals ledger');
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
    }
  }, 90_000);
});
