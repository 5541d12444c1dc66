// The headless host's HTTP door under attack, over real sockets: malformed
// request lines, targets, percent-encodings, headers and upgrades never stop
// it (the host runs as its own process, so a crash is seen as an exit);
// foreign origins and hosts are refused; wrong tokens are limited per peer;
// the token is kept across restarts, readable by the user only.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost } from '../../app/host/server';

const ROOT = path.resolve(__dirname, '../..');

interface HostProcess { child: ChildProcess; port: number; token: string; out: string[]; exited: () => boolean }

async function spawnHost(dataDir: string, env: Record<string, string> = {}): Promise<HostProcess> {
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['app/host/cli.ts', '--port', '0', '--data', dataDir], {
    cwd: ROOT, env: { ...process.env, npm_lifecycle_event: 'host', BENCHSCOPE_DATA: dataDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  let exited = false;
  child.on('exit', () => { exited = true; });
  child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start: ${out.join('')}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out.push(d.toString());
      const m = /Open: (\S+)/.exec(out.join(''));
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`host exited ${code}: ${out.join('')}`)); });
  });
  const u = new URL(url);
  return { child, port: Number(u.port), token: u.searchParams.get('token')!, out, exited: () => exited };
}

async function stopHost(h: HostProcess): Promise<void> {
  if (h.exited()) return;
  const gone = new Promise((r) => h.child.once('exit', r));
  h.child.kill('SIGTERM');
  await gone;
}

/** Sends raw bytes on a new connection; resolves with whatever came back before close (or 2 s). */
function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => { clearTimeout(timer); sock.destroy(); resolve(Buffer.concat(chunks).toString('latin1')); };
    const timer = setTimeout(done, 2000);
    sock.on('data', (d) => {
      chunks.push(d);
      // One response is enough: the head and, when announced, its whole body.
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const len = /content-length: (\d+)/i.exec(text.slice(0, head));
      if (head >= 0 && (!len || text.length - head - 4 >= Number(len[1]))) done();
    });
    sock.on('error', done);
    sock.on('close', done);
    sock.write(bytes);
  });
}

const status = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

const upgrade = (port: number, target: string, headers: Record<string, string> = {}) => raw(port,
  `GET ${target} HTTP/1.1\r\nHost: ${headers.Host ?? `127.0.0.1:${port}`}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
  Object.entries(headers).filter(([k]) => k !== 'Host').map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n');

const get = (port: number, target: string, headers: Record<string, string> = {}) => raw(port,
  `GET ${target} HTTP/1.1\r\nHost: ${headers.Host ?? `127.0.0.1:${port}`}\r\nConnection: close\r\n` +
  Object.entries(headers).filter(([k]) => k !== 'Host').map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n');

describe('headless host HTTP door', () => {
  let dataDir: string;
  let host: HostProcess;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-sec-'));
    host = await spawnHost(dataDir);
  }, 60_000);

  afterAll(async () => {
    if (host) await stopHost(host);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers the requests that used to end it with 400 and carries on', async () => {
    const p = host.port;
    for (const target of ['/%ff', '/%E0%A4%A', '/assets/%c0', '/..%c0%af..', `/recordings/%ff.csv?token=${host.token}`]) {
      expect(status(await get(p, target)), target).toBe(400);
    }
    expect(status(await get(p, 'http://['))).toBe(400);
    expect(status(await upgrade(p, 'http://['))).toBe(400);
    expect(status(await upgrade(p, `/%ff?token=${host.token}`))).toBe(404);
    expect(status(await raw(p, 'GARBAGE\r\n\r\n'))).toBe(400);
    expect(host.exited()).toBe(false);
    expect(status(await get(p, '/'))).toBe(200);
  });

  it('survives a fuzz of request lines, targets, headers and upgrades (zero crashes)', async () => {
    const p = host.port;
    const pct = fc.array(fc.oneof(
      fc.constantFrom('%', '%f', '%ff', '%c0%af', '%E0%A4%A', '%00', '..', '/', '?', '#', '[', ']', '\\', '@', ':', '%2e%2e', '%u0041'),
      fc.string({ maxLength: 4 }),
    ), { maxLength: 12 }).map((parts) => parts.join(''));
    const target = fc.oneof(pct.map((s) => `/${s}`), pct, pct.map((s) => `http://${s}`), pct.map((s) => `/api?token=${s}`), pct.map((s) => `/recordings/${s}.csv?token=${host.token}`));
    const method = fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'G\x00T', '', 'GET GET');
    const headerValue = fc.oneof(pct, fc.constantFrom('', '\x7f', 'null', 'http://evil.example', `127.0.0.1:${p}`, '[::1', ':'));
    const request = fc.record({ method, target, version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9', ''), up: fc.boolean(), host: headerValue, origin: fc.option(headerValue), junk: fc.option(fc.string({ maxLength: 40 })) })
      .map((r) => `${r.method} ${r.target} ${r.version}\r\nHost: ${r.host}\r\n` + (r.origin !== null ? `Origin: ${r.origin}\r\n` : '') +
        (r.up ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' : '') +
        (r.junk !== null ? `${r.junk}\r\n` : '') + '\r\n');
    const requests = fc.sample(request, { numRuns: 1200, seed: 20261204 });
    let answered = 0;
    for (let i = 0; i < requests.length; i += 40) {
      const batch = await Promise.all(requests.slice(i, i + 40).map((r) => raw(p, Buffer.from(r, 'latin1'))));
      answered += batch.filter((b) => status(b) > 0).length;
      expect(host.exited(), `host stopped after request ${i}`).toBe(false);
    }
    console.log(`fuzz: ${requests.length} malformed requests sent, ${answered} answered with a status, host stopped: ${host.exited() ? 1 : 0}`);
    expect(answered).toBeGreaterThan(requests.length / 2);
    expect(status(await get(p, '/'))).toBe(200);
    expect(status(await upgrade(p, `/api?token=${host.token}`))).toBe(101);
  }, 120_000);

  it('refuses foreign origins and host names, with or without the token', async () => {
    const p = host.port;
    const withToken = `/api?token=${host.token}`;
    expect(status(await upgrade(p, withToken, { Origin: 'http://evil.example' }))).toBe(403);
    expect(status(await upgrade(p, withToken, { Origin: 'null' }))).toBe(403);
    expect(status(await upgrade(p, withToken, { Origin: `http://localhost:${p + 1}`, Host: `localhost:${p}` }))).toBe(403);
    // DNS rebinding: a name that resolves here but is not this host's.
    expect(status(await upgrade(p, withToken, { Host: `evil.example:${p}` }))).toBe(403);
    expect(status(await get(p, '/', { Host: `evil.example:${p}` }))).toBe(403);
    expect(status(await get(p, `/recordings/x.csv?token=${host.token}`, { 'Sec-Fetch-Site': 'cross-site' }))).toBe(403);
    expect(status(await get(p, `/recordings/x.csv?token=${host.token}`, { 'Sec-Fetch-Site': 'same-site' }))).toBe(403);
    // The host's own pages and non-browser clients pass.
    expect(status(await upgrade(p, withToken, { Origin: `http://127.0.0.1:${p}` }))).toBe(101);
    expect(status(await upgrade(p, withToken, { Origin: `http://localhost:${p}`, Host: `localhost:${p}` }))).toBe(101);
    expect(status(await upgrade(p, withToken))).toBe(101);
  });

  it('serves its pages unframeable, with the command that started it', async () => {
    const page = await get(host.port, '/');
    expect(page).toMatch(/content-security-policy: [^\r]*frame-ancestors 'none'/i);
    expect(page).toMatch(new RegExp(`content-security-policy: [^\\r]*connect-src 'self' ws://127\\.0\\.0\\.1:${host.port};`, 'i'));
    expect(page).toMatch(/x-frame-options: DENY/i);
    expect(page).toMatch(/referrer-policy: no-referrer/i);
    expect(page).toContain('<meta name="benchscope-command" content="npm run host" />');
  });

  it('limits wrong tokens per peer: 429 with when to retry, even for the right token meanwhile', async () => {
    // A host of its own, so the limit does not leak into the other tests.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-sec-rl-'));
    const h = await startHost({ port: 0, userDataDir: dir });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 12; i++) codes.push(status(await upgrade(h.port, `/api?token=${'x'.repeat(32)}`)));
      expect(codes.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(codes.slice(10)).toEqual([429, 429]);
      const limited = await upgrade(h.port, `/api?token=${h.token}`);
      expect(status(limited)).toBe(429);
      expect(limited).toMatch(/Retry-After: \d+/);
      expect(limited).toMatch(/Too many wrong tokens from .*try again in \d+ s/);
    } finally {
      await h.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a short token at start', async () => {
    await expect(startHost({ port: 0, token: 'short-token' })).rejects.toThrow(/at least 16 characters/);
  });

  it('keeps one token across restarts, in a file only the user can read', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-sec-tok-'));
    try {
      const first = await spawnHost(dir);
      await stopHost(first);
      // Started as `npm start` does it (no Electron runtime): the pages name that command.
      const second = await spawnHost(dir, { npm_lifecycle_event: 'start' });
      expect(await get(second.port, '/')).toContain('<meta name="benchscope-command" content="npm start" />');
      await stopHost(second);
      expect(second.token).toBe(first.token);
      expect(first.token.length).toBeGreaterThanOrEqual(32);
      expect((await stat(path.join(dir, 'host-token'))).mode & 0o777).toBe(0o600);
      expect(second.out.join('')).toMatch(/--token kept from .*host-token/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
