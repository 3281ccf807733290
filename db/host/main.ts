/**
 * `npm run browser`: Tilldesk without Electron. Serves dist/renderer and the contract on
 * 127.0.0.1 with a random per-run token, over the real store in TILLDESK_DATA_DIR.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTill } from '../start.ts';
import { createHostServer } from './server.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };

const dataDir = process.env.TILLDESK_DATA_DIR ?? `${root}.data/browser`;
const port = Number(process.env.TILLDESK_PORT ?? 5180);
const token = process.env.TILLDESK_TOKEN ?? randomBytes(24).toString('base64url');
const staticDir = `${root}dist/renderer`;

const { store, api, stop } = startTill({ dataDir, runtime: { transport: 'http', version } });
// A catalog CSV may be up to 50 MB (catalog.importCsv); the JSON around it a little more.
const server = createHostServer({ api, token, staticDir, maxBodyBytes: 52 * 1024 * 1024 });

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  console.log(`Tilldesk browser mode: http://127.0.0.1:${actualPort}/?token=${token}`);
  console.log(`Data: ${store.path}${store.integrity === 'ok' ? '' : ` (integrity: ${store.integrity})`}`);
});

function shutdown(): void {
  server.close(() => {
    void stop().then(() => process.exit(0));
  });
  server.closeAllConnections();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
