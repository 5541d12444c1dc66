// A lines session as a user sees it in Chromium: an open link whose device prints
// nothing understood says "Link open" and why; a running session's timestamp column
// set and its signals renamed and removed from its panel, on the open link, the plot
// following the renamed signal. Screenshots at 1280x720 and 1920x1080 go to
// $BENCHSCOPE_SHOTS (default /tmp/benchscope-shots).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { launchChromium, watchErrors } from './browser';

const SHOTS = process.env.BENCHSCOPE_SHOTS ?? '/tmp/benchscope-shots';
const SIZES = [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }] as const;

/** A device on a real TCP socket printing `line(n)` every 10 ms; `header` once at each connection. */
async function device(header: string, line: (n: number) => string) {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let n = 0;
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.write(header);
  });
  const timer = setInterval(() => { n++; for (const s of sockets) s.write(line(n)); }, 10);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: () => new Promise<void>((r) => { clearInterval(timer); for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

describe('lines sessions in Chromium', () => {
  let dir: string;
  let host: RunningHost;
  let browser: Browser;
  const devices: Awaited<ReturnType<typeof device>>[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-lines-e2e-'));
    await mkdir(SHOTS, { recursive: true });
    host = await startHost({ port: 0, userDataDir: path.join(dir, 'data'), demoOnFirstStart: false });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await Promise.all(devices.map((d) => d.close()));
    await rm(dir, { recursive: true, force: true });
  });

  async function openSession(page: Page, sessionId: string): Promise<void> {
    await page.goto(host.url);
    await page.locator(`[data-testid="session-row"][data-session-id="${sessionId}"]`).click();
  }

  it('an open link with nothing understood says "Link open" and what it waits for, not "Connecting"', async () => {
    const dev = await device('', (n) => `garbage ${n} <<>>\n`);
    devices.push(dev);
    const { sessionId } = await host.hub.call('createSession', {
      protocol: 'lines', name: 'Noisy board', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: dev.port }, options: { format: 'json' },
    });
    for (const size of SIZES) {
      const page = await browser.newPage({ viewport: size });
      const errors = watchErrors(page);
      await openSession(page, sessionId);
      const row = page.locator(`[data-testid="session-row"][data-session-id="${sessionId}"]`);
      await expect.poll(() => row.getByTestId('comm-state').textContent(), { timeout: 5000 }).toBe('Link open');
      await expect.poll(() => page.getByTestId('waiting-for').textContent(), { timeout: 5000 })
        .toMatch(/^link open, \d+ lines not understood: line \d+: expected a JSON object, got "garbage \d+ <<>>"$/);
      expect(await page.getByTestId('session-status').textContent()).not.toContain('Connecting');
      await page.screenshot({ path: path.join(SHOTS, `lines-link-open-${size.width}x${size.height}.png`) });
      expect(errors).toEqual([]);
      await page.close();
    }
    await host.hub.call('removeSession', { sessionId });
  });

  it('sets the timestamp column, renames and removes signals from the panel, on the open link', async () => {
    const dev = await device('t,volts,amps\n', (n) => `${(n / 100).toFixed(2)},${n % 50},${-(n % 7)}\n`);
    devices.push(dev);
    const { sessionId } = await host.hub.call('createSession', {
      protocol: 'lines', name: 'PSU', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: dev.port },
    });
    const page = await browser.newPage({ viewport: SIZES[0] });
    const errors = watchErrors(page);
    await openSession(page, sessionId);
    const panel = page.getByTestId('lines-panel');
    await expect.poll(() => panel.getByTestId('lines-signal').count(), { timeout: 10_000 }).toBe(3);
    await host.hub.call('setPlots', { plots: [{ id: 'p1', title: 'PSU', windowSeconds: 10, signals: [{ session: 'PSU', signal: 'volts' }] }] });

    await panel.getByLabel('Timestamp column').fill('t');
    await panel.getByLabel('Name of volts').fill('amps');
    await panel.getByRole('button', { name: 'Apply' }).click();
    // A name already taken is refused beside its field, and nothing is sent.
    await expect.poll(() => panel.getByRole('alert').first().textContent()).toBe('"amps" is already the name of another signal');
    expect((await host.hub.call('listSessions')).find((s) => s.sessionId === sessionId)!.options).toMatchObject({ timestampColumn: null });

    await panel.getByLabel('Name of volts').fill('Output voltage');
    await panel.getByTestId('lines-signal').filter({ hasText: 'amps' }).getByRole('button', { name: 'Remove' }).click();
    await panel.getByTestId('lines-signal').filter({ hasText: /^t/ }).getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => panel.getByTestId('lines-removed-signal').count()).toBe(2);
    await page.screenshot({ path: path.join(SHOTS, 'lines-options-edit-1280x720.png') });
    await panel.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toBe('Applied on the open link.');

    const names = () => host.hub.store.list(sessionId).map((s) => s.name).sort();
    await expect.poll(names, { timeout: 5000 }).toEqual(['Output voltage']);
    const options = (await host.hub.call('listSessions')).find((s) => s.sessionId === sessionId)!.options;
    expect(options).toMatchObject({ timestampColumn: 't', rename: { volts: 'Output voltage' }, remove: ['amps', 't'] });
    expect(dev.connections()).toBe(1);
    await expect.poll(() => page.locator(`[data-testid="session-row"][data-session-id="${sessionId}"]`).getAttribute('data-comm-state'), { timeout: 5000 }).toBe('ConnectedReady');
    // The plot follows the renamed signal.
    await expect.poll(async () => (await host.hub.call('getPlots')).map((p) => p.signals), { timeout: 5000 }).toEqual([[{ session: 'PSU', signal: 'Output voltage' }]]);
    await expect.poll(() => panel.getByLabel('Name of volts').inputValue()).toBe('Output voltage');
    await page.setViewportSize(SIZES[1]);
    await page.screenshot({ path: path.join(SHOTS, 'lines-options-applied-1920x1080.png') });
    await page.setViewportSize(SIZES[0]);
    await page.screenshot({ path: path.join(SHOTS, 'lines-options-applied-1280x720.png') });
    expect(errors).toEqual([]);
    await page.close();
  });
});
