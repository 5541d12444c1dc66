// Demo mode ends by its toggle or when a demo device's link is edited, and then
// the workbench asks first; editing one's own session's link leaves it on.
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { launchChromium } from './browser';

describe('demo mode and link edits', () => {
  let dir: string;
  let host: RunningHost;
  let browser: Browser;
  let device: net.Server;
  let devicePort: number;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-demo-edit-'));
    host = await startHost({ port: 0, userDataDir: path.join(dir, 'data') });
    device = net.createServer((s) => { s.on('error', () => undefined); s.write('a,b\n1,2\n'); });
    await new Promise<void>((r) => device.listen(0, '127.0.0.1', () => r()));
    devicePort = (device.address() as net.AddressInfo).port;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await new Promise((r) => device.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const demoMode = async () => (await host.hub.call('getServerStatus', {})).demoMode;

  it("editing one's own session's link keeps demo mode on", async () => {
    expect(await demoMode()).toBe(true);
    const { sessionId } = await host.hub.call('createSession', { protocol: 'lines', name: 'Mine', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: 9 }, autoConnect: false });
    await host.hub.call('configureDeviceLink', { sessionId, linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: devicePort } });
    expect(await demoMode()).toBe(true);
    const sessions = (await host.hub.call('getServerStatus', {})).sessions;
    expect(sessions.filter((s) => s.deviceLink.demoMode).length).toBe(6);
    await host.hub.call('removeSession', { sessionId });
  });

  it('asks before a demo device\'s link edit ends demo mode; Cancel changes nothing', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(host.url);
    const row = page.getByTestId('session-row').filter({ hasText: 'Demo waveform generator' });
    await expect.poll(() => row.getAttribute('data-comm-state'), { timeout: 15_000 }).toBe('ConnectedReady');
    await row.click();
    const link = page.locator('section[aria-labelledby="link-title"]');
    await link.getByLabel('Port', { exact: true }).fill(String(devicePort));
    await link.getByRole('button', { name: 'Apply', exact: true }).click();
    const ask = page.getByTestId('confirm-end-demo');
    await expect.poll(() => ask.textContent(), { timeout: 5000 }).toMatch(/demo device: applying its link ends demo mode/);
    await page.screenshot({ path: path.join(os.tmpdir(), 'benchscope-confirm-end-demo-1280.png') });
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForTimeout(300);
    expect(await demoMode()).toBe(true);
    expect(await ask.count()).toBe(0);

    await link.getByRole('button', { name: 'Apply', exact: true }).click();
    await ask.getByRole('button', { name: 'Apply and end demo mode' }).click();
    await expect.poll(demoMode, { timeout: 5000 }).toBe(false);
    const kept = (await host.hub.call('getServerStatus', {})).sessions.find((s) => s.name === 'Demo waveform generator')!;
    expect(kept.deviceLink.config).toMatchObject({ port: devicePort });
    await page.close();
  }, 60_000);
});
