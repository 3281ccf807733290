import { timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { isEventName } from '../../shared/api.ts';
import { contentSecurityPolicy } from '../../shared/csp.ts';
import type { ApiError } from '../../shared/errors.ts';
import type { Api } from '../dispatch.ts';

/** Browser mode (DESIGN.md §2): the built renderer and the contract over HTTP, 127.0.0.1 only. */
export interface HostOptions {
  api: Api;
  token: string;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  maxBodyBytes?: number;
}

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

const securityHeaders = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...securityHeaders, 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

function fail(res: ServerResponse, status: number, error: ApiError): void {
  sendJson(res, status, { ok: false, error });
}

const statusFor: Record<ApiError['code'], number> = {
  unknown_operation: 404,
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rejected: 422,
  unavailable: 503,
  internal: 500,
};

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function serveStatic(res: ServerResponse, staticDir: string, urlPath: string): void {
  const relative = normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, '');
  let file = join(staticDir, relative);
  if (!file.startsWith(staticDir + sep) && file !== staticDir) {
    res.writeHead(404).end();
    return;
  }
  let stat = statSync(file, { throwIfNoEntry: false });
  // Unknown paths fall back to the app (client-side screens), never to a directory listing.
  if (!stat?.isFile()) {
    file = join(staticDir, 'index.html');
    stat = statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('The renderer is not built: run npm run build:renderer');
      return;
    }
  }
  res.writeHead(200, {
    ...securityHeaders,
    'content-type': mimeTypes[extname(file)] ?? 'application/octet-stream',
    'content-length': stat.size,
    'cache-control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable',
  });
  createReadStream(file).pipe(res);
}

export function createHostServer(options: HostOptions): Server {
  const { api, token, staticDir } = options;
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;

  return createServer(async (req, res) => {
    try {
      // Only loopback names: a DNS-rebinding page must not reach the till.
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') {
        res.writeHead(421).end();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!url.pathname.startsWith('/api/')) {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405).end();
          return;
        }
        serveStatic(res, staticDir, url.pathname);
        return;
      }
      if (!tokenMatches(req.headers.authorization, token)) {
        fail(res, 401, { code: 'unauthorized', reason: 'bad_token', message: 'Missing or wrong browser-mode token' });
        return;
      }
      if (url.pathname === '/api/events' && req.method === 'GET') {
        const names = (url.searchParams.get('names') ?? '').split(',').filter(isEventName);
        res.writeHead(200, { ...securityHeaders, 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
        res.write(': connected\n\n');
        const offs = names.map((name) =>
          api.subscribe(name, (payload) => res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`)),
        );
        req.on('close', () => {
          for (const off of offs) off();
        });
        return;
      }
      const match = /^\/api\/op\/([A-Za-z0-9._-]{1,100})$/.exec(url.pathname);
      if (!match || req.method !== 'POST') {
        fail(res, 404, { code: 'unknown_operation', reason: 'unknown_operation', message: 'Unknown API path' });
        return;
      }
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        fail(res, 415, { code: 'invalid_input', reason: 'invalid_input', message: 'Send application/json' });
        return;
      }
      const body = await readBody(req, maxBody);
      if (body === null) {
        fail(res, 413, { code: 'invalid_input', reason: 'too_large', message: `Request body over ${maxBody} bytes` });
        return;
      }
      let input: unknown;
      try {
        input = body === '' ? {} : JSON.parse(body);
      } catch {
        fail(res, 400, { code: 'invalid_input', reason: 'invalid_json', message: 'Request body is not valid JSON' });
        return;
      }
      const result = await api.call(match[1], input);
      sendJson(res, result.ok ? 200 : statusFor[result.error.code], result);
    } catch (error) {
      if (!res.headersSent) fail(res, 500, { code: 'internal', reason: 'internal', message: String(error) });
      else res.end();
    }
  });
}
