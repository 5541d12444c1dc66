// The headless host: the hub behind a WebSocket door plus the built renderer
// as static files. Loopback by default; every WebSocket needs the token.
import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_REQUEST_BYTES } from '../../shared/api/contract';
import { Hub, type HubOptions } from '../../main/hub/hub';
import { decodePath, MIN_TOKEN_LENGTH, parseTarget, RequestGuard, type Refusal } from './guard';

/** Telemetry waits while a client has more than this queued (a slow client never slows the engine). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface HostOptions extends Partial<HubOptions> {
  host?: string;
  port?: number;
  token?: string;
  /** Folder of the built renderer; default dist/renderer beside the repo root. */
  staticDir?: string;
  /** The command that started the host, for the pages that tell the user what to run ("npm start"). */
  command?: string;
}

export interface RunningHost {
  hub: Hub;
  host: string;
  port: number;
  token: string;
  url: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function newToken(): string {
  return randomBytes(16).toString('hex');
}

/** The pages' own policy: scripts and connections to this host only, never inside another page's frame. */
function pageHeaders(hostHeader: string): Record<string, string> {
  return {
    'Content-Security-Policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://${hostHeader}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    // The address carries the token: it must not leave in a Referer.
    'Referrer-Policy': 'no-referrer',
  };
}

function refuse(res: http.ServerResponse, r: Refusal): void {
  if (!res.headersSent) res.writeHead(r.status, { 'Content-Type': 'text/plain; charset=utf-8', ...r.headers });
  res.end(`${r.reason}\n`);
}

function refuseUpgrade(socket: import('node:stream').Duplex, r: Refusal): void {
  const text = STATUS_TEXT[r.status] ?? 'Refused';
  const extra = Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const body = `${r.reason}\n`;
  socket.end(`HTTP/1.1 ${r.status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 1000).unref();
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests' };

export async function startHost(opts: HostOptions = {}): Promise<RunningHost> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  if (token.length < MIN_TOKEN_LENGTH) throw new Error(`The token must be at least ${MIN_TOKEN_LENGTH} characters (got ${token.length}): a short one can be guessed`);
  const staticDir = opts.staticDir ?? path.join(REPO_ROOT, 'dist', 'renderer');
  const command = opts.command ?? 'npm run host';
  const hub = new Hub({ userDataDir: opts.userDataDir ?? null, flushMs: opts.flushMs, statusMs: opts.statusMs, storeCapacity: opts.storeCapacity, demoOnFirstStart: opts.demoOnFirstStart });
  await hub.start();

  let boundPort = 0;
  const guard = new RequestGuard({ host, port: () => boundPort });
  const server = http.createServer((req, res) => {
    // Nothing a request carries may end the host: every failure here is this request's alone.
    try {
      const url = parseTarget(req.url);
      if (!url) return refuse(res, { status: 400, reason: 'Bad request target' });
      const refusal = guard.checkOrigin(req);
      if (refusal) return refuse(res, refusal);
      if (url.pathname.startsWith('/recordings/')) {
        const denied = guard.checkToken(req, url.searchParams.get('token'), token);
        if (denied) return refuse(res, denied);
        void serveRecordingCsv(hub, url, res).catch(() => res.destroy());
      } else {
        void serveStatic(staticDir, command, req, url, res).catch(() => res.destroy());
      }
    } catch {
      res.destroy();
    }
  });
  // Unparseable request lines and headers: a 400 and the connection closed, the host carries on.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES * 2 });

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    try {
      const url = parseTarget(req.url);
      if (!url) return refuseUpgrade(socket, { status: 400, reason: 'Bad request target' });
      const refusal = guard.checkOrigin(req);
      if (refusal) return refuseUpgrade(socket, refusal);
      if (url.pathname !== '/api') return refuseUpgrade(socket, { status: 404, reason: 'The API is at /api' });
      const denied = guard.checkToken(req, url.searchParams.get('token'), token);
      if (denied) return refuseUpgrade(socket, denied);
      wss.handleUpgrade(req, socket, head, (ws) => attach(hub, ws));
    } catch {
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as { port: number }).port;
  boundPort = port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    hub, host, port, token,
    url: `http://${urlHost}:${port}/?token=${token}`,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await hub.stop();
    },
  };
}

/**
 * GET /recordings/<name>.csv?token=…: a recording as CSV, streamed (with
 * backpressure), for the browser to download. The token is required as for the API.
 */
async function serveRecordingCsv(hub: Hub, url: URL, res: http.ServerResponse): Promise<void> {
  const fail = (status: number, text: string) => {
    if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  };
  const m = /^\/recordings\/(.+)\.csv$/.exec(url.pathname);
  if (!m) return fail(404, 'Not found: /recordings/<name>.csv');
  const name = decodePath(m[1]!);
  if (name === null || name.includes('/') || name.includes('\\') || name.startsWith('.')) return fail(400, 'Bad recording name');
  let started = false;
  try {
    await hub.recordings.streamCsv(name, async (text) => {
      if (!started) {
        started = true;
        res.writeHead(200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="${name.replace(/[^A-Za-z0-9 _.()-]/g, '_')}.csv"`,
        });
      }
      if (!res.write(text)) await new Promise<void>((r) => res.once('drain', () => r()));
    });
    res.end();
  } catch (e) {
    if (started) res.destroy(e as Error);
    else fail(/No recording/.test((e as Error).message) ? 404 : 500, (e as Error).message);
  }
}

function attach(hub: Hub, ws: WebSocket): void {
  const conn = hub.connect({
    sendText: (text) => { if (ws.readyState === ws.OPEN) ws.send(text); },
    sendBinary: (frame) => { if (ws.readyState === ws.OPEN) ws.send(frame, { binary: true }); },
    isBusy: () => ws.bufferedAmount > MAX_BUFFERED_BYTES,
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      const n = Array.isArray(data) ? data.reduce((a, b) => a + b.length, 0) : (data as Buffer).byteLength;
      conn.receiveBinary(n);
      return;
    }
    conn.receive(data.toString());
  });
  ws.on('close', () => conn.close());
  ws.on('error', () => ws.terminate());
}

async function serveStatic(dir: string, command: string, req: http.IncomingMessage, url: URL, res: http.ServerResponse): Promise<void> {
  const rel = decodePath(url.pathname === '/' ? '/index.html' : url.pathname);
  if (rel === null || rel.includes('\0')) return refuse(res, { status: 400, reason: 'Bad path' });
  const file = path.resolve(dir, `.${rel}`);
  if (!file.startsWith(path.resolve(dir) + path.sep) || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404).end();
    return;
  }
  const headers = { ...pageHeaders(req.headers.host!), 'Cache-Control': 'no-cache' };
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new Error('not a file');
    const type = MIME[path.extname(file)] ?? 'application/octet-stream';
    if (rel === '/index.html') {
      // The pages that say what to run name the command that started this host.
      const html = (await fs.readFile(file, 'utf8')).replace('</head>', `<meta name="benchscope-command" content="${escapeAttr(command)}" /></head>`);
      res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': Buffer.byteLength(html) }).end(req.method === 'HEAD' ? undefined : html);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': st.size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).on('error', () => res.destroy()).pipe(res);
  } catch {
    const missing = rel === '/index.html';
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
      .end(missing ? `The renderer is not built in ${dir}: run "npm run build:renderer".` : 'Not found');
  }
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
