// The workbench as a user sees it: Debian's Chromium against the headless host,
// the demo bench plotting, a serial link set up through the form to a pty that
// this test feeds, an invalid form value held back, a page without the token.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { launchChromium, watchErrors } from './browser';
import { ptyPair, type PtyPair } from '../support/pty-pair';

async function count(page: Page, testId: string, nth = 0): Promise<number> {
  const text = await page.getByTestId(testId).nth(nth).textContent();
  return Number((text ?? '').replace(/[^0-9]/g, ''));
}

describe('workbench in Chromium', () => {
  let dir: string;
  let host: RunningHost;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-e2e-'));
    host = await startHost({ port: 0, userDataDir: path.join(dir, 'data') });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('plots the demo bench on a first start, and the drawn point count grows', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    const row = page.getByTestId('session-row').first();
    await expect.poll(() => row.getAttribute('data-comm-state'), { timeout: 10_000 }).toBe('ConnectedReady');
    await expect.poll(() => count(page, 'plot-points'), { timeout: 10_000 }).toBeGreaterThan(0);
    const first = await count(page, 'plot-points');
    const received = await count(page, 'plot-received');
    await page.waitForTimeout(1000);
    expect(await count(page, 'plot-points')).toBeGreaterThan(first);
    expect(await count(page, 'plot-received')).toBeGreaterThan(received);
    // The chart is really drawn: uPlot's canvas has a size.
    const canvas = page.getByTestId('plot').first().locator('canvas').first();
    const box = await canvas.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    // The samples in view, as CSV made by the engine, downloaded by the browser.
    const plot = page.getByTestId('plot').first();
    const download = page.waitForEvent('download');
    await plot.getByRole('button', { name: 'CSV', exact: true }).click();
    const file = await (await download).path();
    const { readFile } = await import('node:fs/promises');
    const csv = (await readFile(file!, 'utf8')).trim().split('\n');
    expect(csv[0]).toMatch(/^time,Demo waveform generator\/sine1,Demo waveform generator\/ramp2/);
    expect(csv.length).toBeGreaterThan(100); // 10 s at 200 lines/s in view
    expect(csv[1]!.split(',').length).toBe(5);
    await expect.poll(() => plot.getByTestId('plot-csv-note').textContent()).toMatch(/^\d+ rows$/);
    expect(errors).toEqual([]);
    await page.screenshot({ path: path.join(dir, 'demo.png') });
    await page.close();
  });

  it('an invalid form value shows an inline error and nothing is sent', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(host.url);
    await page.getByTestId('new-session').click();
    const dialog = page.getByRole('dialog', { name: 'New session' });
    await dialog.getByLabel('Link type').selectOption('tcp');
    await dialog.getByLabel('Port', { exact: true }).fill('70000');
    const statsBefore = host.hub.serverStats();
    const sessionsBefore = host.hub.status().sessions.length;
    await dialog.getByRole('button', { name: 'Create' }).click();
    const port = dialog.getByLabel('Port', { exact: true });
    await expect.poll(() => port.getAttribute('aria-invalid')).toBe('true');
    const errorId = (await port.getAttribute('aria-describedby'))!.split(' ').find((id) => id.endsWith('-error'))!;
    const alert = dialog.locator(`[id="${errorId}"]`);
    expect(await alert.getAttribute('role')).toBe('alert');
    expect(await alert.textContent()).toMatch(/65535/);
    await page.waitForTimeout(300);
    expect(host.hub.status().sessions.length).toBe(sessionsBefore);
    expect(host.hub.serverStats().invalidRequestCount).toBe(statsBefore.invalidRequestCount);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await page.close();
  });

  describe('a serial device on a pseudo-terminal', () => {
    let pair: PtyPair;
    let feed: FileHandle;
    let feeder: ReturnType<typeof setInterval>;
    const devicePath = () => pair.device;
    const benchPath = () => pair.host;

    beforeAll(async () => {
      pair = await ptyPair('benchscope-workbench-');
      feed = await open(devicePath(), 'r+');
      let i = 0;
      feeder = setInterval(() => {
        const lines = [];
        for (let k = 0; k < 5; k++, i++) lines.push(`temp=${(20 + Math.sin(i / 20)).toFixed(3)} volts=${(i % 50) / 10}\n`);
        void feed.write(lines.join('')).catch(() => undefined);
      }, 20);
    });

    afterAll(async () => {
      clearInterval(feeder);
      await feed?.close();
      pair?.close();
    });

    it('is set up through the link form and its signals plot', async () => {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const errors = watchErrors(page);
      await page.goto(host.url);
      await page.getByTestId('new-session').click();
      const dialog = page.getByRole('dialog', { name: 'New session' });
      await dialog.getByLabel('Name').fill('Bench meter');
      await dialog.getByLabel('Link type').selectOption('serial');
      await dialog.getByLabel('Port path').fill(benchPath());
      await dialog.getByLabel('Baud rate').selectOption('115200');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await expect.poll(() => dialog.count()).toBe(0);

      const row = page.getByTestId('session-row').filter({ hasText: 'Bench meter' });
      await expect.poll(() => row.getAttribute('data-comm-state'), { timeout: 10_000 }).toBe('ConnectedReady');
      const session = host.hub.status().sessions.find((s) => s.name === 'Bench meter')!;
      expect(session.deviceLink.type).toBe('serial');
      expect(session.deviceLink.config).toMatchObject({ portname: benchPath(), baudrate: 115200 });

      await page.getByRole('button', { name: 'Add plot' }).click();
      const plot = page.getByTestId('plot').last();
      // A new, empty plot opens its signal chooser by itself.
      const chooser = plot.getByRole('button', { name: /^Signals/ });
      if ((await chooser.getAttribute('aria-expanded')) !== 'true') await chooser.click();
      await plot.getByLabel('Search signals').fill('Bench meter: ');
      const pickRow = (signal: string) => plot.locator(`[data-testid="signal-picker-row"][data-session="Bench meter"][data-signal="${signal}"]`);
      await expect.poll(() => pickRow('temp').count(), { timeout: 5000 }).toBe(1);
      await pickRow('temp').click();
      await pickRow('volts').click();
      await expect.poll(async () => Number((await plot.getByTestId('plot-points').textContent())?.replace(/[^0-9]/g, '')), { timeout: 10_000 }).toBeGreaterThan(50);
      const before = Number((await plot.getByTestId('plot-received').textContent())?.replace(/[^0-9]/g, ''));
      await page.waitForTimeout(600);
      const after = Number((await plot.getByTestId('plot-received').textContent())?.replace(/[^0-9]/g, ''));
      expect(after).toBeGreaterThan(before);
      const legend = await plot.textContent();
      expect(legend).toContain('temp');
      expect(legend).toContain('volts');
      expect(errors).toEqual([]);
      await page.close();
    });
  });

  it('a page without the token cannot connect', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${host.port}/`);
    await expect.poll(() => page.getByTestId('full-page-message').textContent(), { timeout: 5000 }).toMatch(/token/i);
    expect(await page.getByTestId('session-row').count()).toBe(0);
    await page.goto(`http://127.0.0.1:${host.port}/?token=not-the-token`);
    await expect.poll(() => page.getByTestId('full-page-message').textContent(), { timeout: 10_000 }).toMatch(/refused/i);
    expect(await page.getByTestId('session-row').count()).toBe(0);
    // And the door itself refuses the upgrade, whatever the page does.
    const refused = await page.evaluate(async (port) => new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api`);
      ws.onopen = () => resolve(false);
      ws.onerror = () => resolve(true);
    }), host.port);
    expect(refused).toBe(true);
    await page.close();
  });
});
