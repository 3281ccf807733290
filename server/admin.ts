/**
 * The server's admin CLI: `node server/admin.ts <command> [options]`, against the same
 * database as the server (DATABASE_URL, or PGlite in TILLDESK_SERVER_DATA — with PGlite,
 * stop the server first: an embedded database has one process at a time).
 *
 *   create-store --id ID --name NAME [--currency EUR]
 *   add-location --store ID --id LOCATION --name NAME
 *   create-code --store ID [--name "Till 2"] [--hours 24]    one-time enrolment code
 *   list-devices [--store ID]
 *   revoke-device DEVICE_ID
 *   import-catalog FILE.csv [--store ID] [--minor-digits 2]  chain-wide, or one store's prices
 *   new-epoch                                                after restoring from a backup
 *   reset-pulls                                              every till pulls a full snapshot
 *   check                                                    stock = ledger, exit 1 if not
 *   backup --out FILE                                        pg_dump (custom format), or PGlite's folder
 *   restore --from FILE                                      into an EMPTY database, then a new epoch
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  addLocation,
  createEnrolmentCode,
  createStore,
  importCatalog,
  ledgerCheck,
  listDevices,
  newEpoch,
  resetPulls,
  revokeDevice,
} from './admin-ops.ts';
import { backupCommand } from './backup.ts';
import { openDatabase } from './open.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    id: { type: 'string' },
    name: { type: 'string' },
    currency: { type: 'string' },
    store: { type: 'string' },
    hours: { type: 'string' },
    'minor-digits': { type: 'string' },
    json: { type: 'boolean' },
    out: { type: 'string' },
    from: { type: 'string' },
  },
});
const [command, argument] = positionals;

function need(value: string | undefined, what: string): string {
  if (!value) {
    console.error(`Missing ${what}. Usage: see the top of server/admin.ts`);
    process.exit(2);
  }
  return value;
}

// Before the database is opened: a restore needs its target empty, not migrated.
if (command === 'backup' || command === 'restore') {
  process.exit(await backupCommand(command, command === 'backup' ? values.out : values.from, process.env));
}

const db = await openDatabase(process.env);
let exitCode = 0;
try {
  switch (command) {
    case 'create-store':
      await createStore(db, {
        id: need(values.id, '--id'),
        name: need(values.name, '--name'),
        currency: values.currency ?? 'EUR',
      });
      console.log(`Store ${values.id} created`);
      break;
    case 'add-location':
      await addLocation(db, need(values.store, '--store'), need(values.id, '--id'), need(values.name, '--name'));
      console.log(`Location ${values.id} saved`);
      break;
    case 'create-code': {
      const options: { deviceName?: string; hours?: number } = {};
      if (values.name) options.deviceName = values.name;
      if (values.hours) options.hours = Number(values.hours);
      const { code, expiresAt } = await createEnrolmentCode(db, need(values.store, '--store'), options);
      console.log(
        values.json ? JSON.stringify({ code, expiresAt }) : `Enrolment code: ${code} (one use, until ${expiresAt.toISOString()})`,
      );
      break;
    }
    case 'list-devices': {
      const devices = await listDevices(db, values.store);
      if (values.json) console.log(JSON.stringify(devices));
      else
        for (const d of devices)
          console.log(
            `${d.id}  ${d.storeId}  ${d.name}  seq ${d.lastSeq}  ${d.revokedAt ? `revoked ${d.revokedAt.toISOString()}` : d.tokenExpiresAt < new Date() ? `token expired ${d.tokenExpiresAt.toISOString()}` : 'active'}` +
              `${d.clockSkewMs !== null && Math.abs(d.clockSkewMs) > 300_000 ? `  CLOCK OFF BY ${Math.round(d.clockSkewMs / 1000)} s` : ''}`,
          );
      break;
    }
    case 'revoke-device':
      if (await revokeDevice(db, need(argument, 'DEVICE_ID'))) console.log(`Device ${argument} revoked`);
      else {
        console.error(`No active device ${argument}`);
        exitCode = 1;
      }
      break;
    case 'import-catalog': {
      const options: { storeId?: string; minorDigits?: number } = {};
      if (values.store) options.storeId = values.store;
      if (values['minor-digits']) options.minorDigits = Number(values['minor-digits']);
      try {
        const report = await importCatalog(db, readFileSync(need(argument, 'FILE.csv'), 'utf8'), options);
        console.log(JSON.stringify(report));
      } catch (error) {
        const report = (error as { report?: unknown }).report;
        console.error(report ? JSON.stringify(report) : (error as Error).message);
        exitCode = 1;
      }
      break;
    }
    case 'new-epoch':
      console.log(`New epoch ${await newEpoch(db)}: tills will push again what this database lacks`);
      break;
    case 'reset-pulls':
      await resetPulls(db);
      console.log('Every till will pull a full snapshot');
      break;
    case 'check': {
      const differences = await ledgerCheck(db);
      console.log(differences.length === 0 ? 'Stock equals ledger' : JSON.stringify(differences, null, 2));
      if (differences.length > 0) exitCode = 1;
      break;
    }
    default:
      console.error(`Unknown command ${command ?? '(none)'}. Usage: see the top of server/admin.ts`);
      exitCode = 2;
  }
} finally {
  await db.close();
}
process.exit(exitCode);
