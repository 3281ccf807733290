/**
 * `npm run browser`: Tilldesk without Electron. Serves dist/renderer and the contract on
 * 127.0.0.1 with a random per-run token, over the real store in TILLDESK_DATA_DIR. A store
 * that cannot be opened is served in recovery (the UI shows what happened and restores a
 * backup) rather than crashing the host.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';

// Node keeps its compiled (and type-stripped) modules on disk: later starts skip most of the
// module loading, the biggest part of a start once the store opens in milliseconds.
enableCompileCache();
const { startTill } = await import('../start.ts');
const { createHostServer } = await import('./server.ts');
const { openTillLog } = await import('../log.ts');

const root = fileURLToPath(new URL('../../', import.meta.url));
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };

const dataDir = process.env.TILLDESK_DATA_DIR ?? `${root}.data/browser`;
const port = Number(process.env.TILLDESK_PORT ?? 5180);
const token = process.env.TILLDESK_TOKEN ?? randomBytes(24).toString('base64url');
const staticDir = `${root}dist/renderer`;

// The full store check runs this long after start (default 5 s); benchmarks set 0 to see it beside a start.
const checkDelay = process.env.TILLDESK_CHECK_DELAY_MS;
// Never log the address: it carries the token.
const log = openTillLog({ dataDir, echo: (line) => console.error(line) });
log.info('browser host starting', { version });
const till = startTill({
  dataDir,
  log: log.failure,
  runtime: { transport: 'http', version },
  ...(checkDelay ? { integrityCheckDelayMs: Number(checkDelay) } : {}),
});
// A catalog CSV may be up to 50 MB (catalog.importCsv); the JSON around it a little more.
const server = createHostServer({ api: till.api, token, staticDir, maxBodyBytes: 52 * 1024 * 1024 });

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  console.log(`Tilldesk browser mode: http://127.0.0.1:${actualPort}/?token=${token}`);
  const state = till.state();
  console.log(
    state.state === 'running'
      ? `Data: ${till.path}`
      : `Data: ${till.path} cannot be opened (${state.problem}: ${state.detail}); serving the recovery screen`,
  );
});

function shutdown(): void {
  log.info('browser host stopping');
  server.close(() => {
    void till.stop().then(() => process.exit(0));
  });
  server.closeAllConnections();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
