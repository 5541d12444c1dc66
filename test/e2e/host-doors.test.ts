// The host's doors as a browser meets them: a page from another origin, even
// one that knows the token, reaches neither the WebSocket nor the HTTP routes
// and cannot frame the workbench; the workbench's own tab says "reconnecting"
// when the host stops and carries on by itself, without a reload, when it
// comes back with its kept token.
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { launchChromium } from './browser';

describe('host doors in Chromium', () => {
  let dir: string;
  let host: RunningHost;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-doors-'));
    host = await startHost({ port: 0, userDataDir: path.join(dir, 'data') });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a page from another origin gets nothing, even with the token', async () => {
    const target = `127.0.0.1:${host.port}`;
    const evil = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<!doctype html><body>
<iframe id="f" src="http://${target}/?token=${host.token}"></iframe>
<script>
window.results = {};
const ws = new WebSocket('ws://${target}/api?token=${host.token}');
ws.onopen = () => { window.results.ws = 'open'; };
ws.onerror = () => { window.results.ws = 'error'; };
fetch('http://${target}/recordings/x.csv?token=${host.token}', { mode: 'no-cors' })
  .then(() => { window.results.fetchNoCors = 'sent'; }, () => { window.results.fetchNoCors = 'failed'; });
fetch('http://${target}/recordings/x.csv?token=${host.token}')
  .then((r) => r.text().then((t) => { window.results.fetchCors = 'read: ' + t; }), () => { window.results.fetchCors = 'failed'; });
</script></body>`);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    const receivedBefore = host.hub.serverStats().msgReceived;
    try {
      const page = await browser.newPage();
      const evilPort = (evil.address() as { port: number }).port;
      await page.goto(`http://localhost:${evilPort}/`);
      await expect.poll(() => page.evaluate(() => Object.keys((window as unknown as { results: object }).results).length), { timeout: 10_000 }).toBe(3);
      const results = await page.evaluate(() => (window as unknown as { results: Record<string, string> }).results);
      expect(results.ws).toBe('error');
      expect(results.fetchCors).toBe('failed');
      // The framed workbench is blocked (frame-ancestors 'none', X-Frame-Options): no frame shows our page.
      await page.waitForTimeout(500);
      const framed = page.frames().filter((f) => f !== page.mainFrame());
      for (const f of framed) expect(await f.evaluate(() => document.querySelector('#root') !== null).catch(() => false)).toBe(false);
      // No client got in: the hub counts only the test's own (none).
      expect(host.hub.serverStats().clientCount).toBe(0);
      expect(host.hub.serverStats().msgReceived).toBe(receivedBefore);
      await page.close();
    } finally {
      await new Promise<void>((r) => evil.close(() => r()));
    }
  }, 60_000);

  it('the refusal pages name the command that started the host', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`http://127.0.0.1:${host.port}/?token=${'w'.repeat(32)}`);
    await expect.poll(() => page.getByTestId('full-page-message').textContent(), { timeout: 10_000 }).toMatch(/refused this page.*printed by npm run host/s);
    await page.goto(`http://127.0.0.1:${host.port}/`);
    await expect.poll(() => page.getByTestId('full-page-message').textContent(), { timeout: 10_000 }).toMatch(/Token needed.*printed by npm run host/s);
    await page.close();
  }, 60_000);

  it('the open tab says "reconnecting" while the host is away and carries on when it is back', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(host.url);
    const row = page.getByTestId('session-row').first();
    await expect.poll(() => row.getAttribute('data-comm-state'), { timeout: 15_000 }).toBe('ConnectedReady');
    await page.evaluate(() => { (window as unknown as { sameDocument: boolean }).sameDocument = true; });
    const { port, token } = host;
    await host.close();
    await expect.poll(() => page.getByTestId('reconnecting').textContent().catch(() => ''), { timeout: 10_000 }).toMatch(/reconnect/i);
    await page.screenshot({ path: path.join(os.tmpdir(), 'benchscope-reconnecting-1280.png') });
    host = await startHost({ port, token, userDataDir: path.join(dir, 'data') });
    await expect.poll(() => page.getByTestId('reconnecting').count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => row.getAttribute('data-comm-state'), { timeout: 15_000 }).toBe('ConnectedReady');
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await page.close();
  }, 90_000);
});
