import { timingSafeEqual } from 'node:crypto';
import { createReadStream, type Stats, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
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

/** The HTTP status each error code answers with. */
export const httpStatusFor: Record<ApiError['code'], number> = {
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

/** A URL path as a file path, or null when it cannot name a file (bad escapes, NUL). */
function decodePath(urlPath: string): string | null {
  try {
    const path = decodeURIComponent(urlPath);
    return path.includes('\0') ? null : path;
  } catch {
    return null;
  }
}

function serveStatic(res: ServerResponse, staticDir: string, urlPath: string): void {
  const decoded = decodePath(urlPath);
  if (decoded === null) {
    fail(res, 400, { code: 'invalid_input', reason: 'bad_path', message: 'That path cannot name a file' });
    return;
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  let file = join(staticDir, relative);
  if (!file.startsWith(staticDir + sep) && file !== staticDir) {
    fail(res, 404, { code: 'not_found', reason: 'not_found', message: 'No such file' });
    return;
  }
  // A name the file system refuses (too long, say) is simply not one of the app's files.
  let stat = statOrNull(file);
  // Unknown paths fall back to the app (client-side screens), never to a directory listing.
  if (!stat?.isFile()) {
    file = join(staticDir, 'index.html');
    stat = statOrNull(file);
    if (!stat?.isFile()) {
      fail(res, 503, {
        code: 'unavailable',
        reason: 'renderer_not_built',
        message: 'The renderer is not built: run npm run build:renderer',
      });
      return;
    }
  }
  res.writeHead(200, {
    ...securityHeaders,
    'content-type': mimeTypes[extname(file)] ?? 'application/octet-stream',
    'content-length': stat.size,
    'cache-control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=31536000, immutable',
  });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/** The request target as a URL, or null when it is not one (an absolute-form target such as `http://[`). */
function requestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/**
 * Requests Node's parser refuses never reach the handler; they get the same typed error
 * shape, then the connection closes.
 */
function refuseUnparsable(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, text, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'too_large', 'Request headers too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'bad_request', 'The request took too long to arrive']
        : [400, 'Bad Request', 'bad_request', 'Malformed HTTP request'];
  const body = JSON.stringify({ ok: false, error: { code: 'invalid_input', reason, message } });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export function createHostServer(options: HostOptions): Server {
  const { api, token, staticDir } = options;
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;

  // Requests without a Host header reach the handler, which refuses them with its own typed error.
  const server = createServer({ requireHostHeader: false }, async (req, res) => {
    try {
      // Only loopback names: a DNS-rebinding page must not reach the till.
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') {
        fail(res, 421, { code: 'forbidden', reason: 'wrong_host', message: 'This host answers 127.0.0.1 and localhost only' });
        return;
      }
      const url = requestUrl(req.url);
      if (!url) {
        fail(res, 400, { code: 'invalid_input', reason: 'bad_path', message: 'Not a request path' });
        return;
      }
      if (!url.pathname.startsWith('/api/')) {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.setHeader('allow', 'GET, HEAD');
          fail(res, 405, { code: 'invalid_input', reason: 'method_not_allowed', message: 'Files are read with GET' });
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
      let body: string | null;
      try {
        body = await readBody(req, maxBody);
      } catch {
        // The client went away mid-body: nothing to answer, nothing was run.
        res.destroy();
        return;
      }
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
      sendJson(res, result.ok ? 200 : httpStatusFor[result.error.code], result);
    } catch (error) {
      // A bug in the host itself: logged here; the browser gets the generic answer, never the error's text.
      console.error('[tilldesk] browser host:', error);
      if (!res.headersSent) {
        fail(res, 500, { code: 'internal', reason: 'internal', message: 'Internal error in the browser host' });
      } else res.end();
    }
  });
  server.on('clientError', refuseUnparsable);
  return server;
}
