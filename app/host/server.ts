// The headless host: the hub behind a WebSocket door plus the built renderer
// as static files. Loopback by default; every WebSocket needs the token.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_REQUEST_BYTES } from '../../shared/api/contract';
import { Hub, type HubOptions } from '../../main/hub/hub';

/** Telemetry waits while a client has more than this queued (a slow client never slows the engine). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface HostOptions extends Partial<HubOptions> {
  host?: string;
  port?: number;
  token?: string;
  /** Folder of the built renderer; default dist/renderer beside the repo root. */
  staticDir?: string;
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

function tokenMatches(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startHost(opts: HostOptions = {}): Promise<RunningHost> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const staticDir = opts.staticDir ?? path.join(REPO_ROOT, 'dist', 'renderer');
  const hub = new Hub({ userDataDir: opts.userDataDir ?? null, flushMs: opts.flushMs, statusMs: opts.statusMs, storeCapacity: opts.storeCapacity, demoOnFirstStart: opts.demoOnFirstStart });
  await hub.start();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/recordings/')) void serveRecordingCsv(hub, token, url, res);
    else void serveStatic(staticDir, req, res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES * 2 });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api' || !tokenMatches(url.searchParams.get('token'), token)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(hub, ws));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as { port: number }).port;
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
async function serveRecordingCsv(hub: Hub, token: string, url: URL, res: http.ServerResponse): Promise<void> {
  const fail = (status: number, text: string) => {
    if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  };
  if (!tokenMatches(url.searchParams.get('token'), token)) return fail(401, 'A valid token is required');
  const m = /^\/recordings\/(.+)\.csv$/.exec(url.pathname);
  if (!m) return fail(404, 'Not found: /recordings/<name>.csv');
  let name: string;
  try {
    name = decodeURIComponent(m[1]!);
  } catch {
    return fail(400, 'Bad recording name');
  }
  if (name.includes('/') || name.includes('\\') || name.startsWith('.')) return fail(400, 'Bad recording name');
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

async function serveStatic(dir: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
  const file = path.resolve(dir, `.${rel}`);
  if (!file.startsWith(path.resolve(dir) + path.sep) || req.method !== 'GET') {
    res.writeHead(404).end();
    return;
  }
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new Error('not a file');
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': st.size,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    });
    createReadStream(file).pipe(res);
  } catch {
    const missing = rel === '/index.html';
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
      .end(missing ? `The renderer is not built in ${dir}: run "npm run build:renderer".` : 'Not found');
  }
}
