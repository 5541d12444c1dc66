// The signal picker in Chromium with 10,200 signals from three lines devices on real
// TCP sockets: search by substring and regular expression, move and pick from the
// keyboard, drag a signal onto a plot, and the list stays virtualised (a few dozen
// rows in the DOM, not ten thousand). Screenshots go to $BENCHSCOPE_SHOTS.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { waitUntil } from '../support/wait';
import { launchChromium, watchErrors } from './browser';

const SHOTS = process.env.BENCHSCOPE_SHOTS ?? '/tmp/benchscope-shots';
const PER_DEVICE = 3400;
const name = (i: number) => `ch${String(i).padStart(5, '0')}`;

/** A CSV device: a header of `count` column names from `first`, then a row of values every 200 ms. */
async function wideDevice(first: number, count: number) {
  const header = Array.from({ length: count }, (_, i) => name(first + i)).join(',');
  const sockets = new Set<net.Socket>();
  let n = 0;
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.write(`${header}\n`);
  });
  const timer = setInterval(() => {
    n++;
    const row = Array.from({ length: count }, (_, i) => String((n + i) % 100)).join(',');
    for (const s of sockets) s.write(`${row}\n`);
  }, 200);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => { clearInterval(timer); for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

describe('signal picker with 10,000 signals in Chromium', () => {
  let dir: string;
  let host: RunningHost;
  let browser: Browser;
  const devices: Awaited<ReturnType<typeof wideDevice>>[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-picker-e2e-'));
    await mkdir(SHOTS, { recursive: true });
    host = await startHost({ port: 0, userDataDir: path.join(dir, 'data'), demoOnFirstStart: false });
    for (let d = 0; d < 3; d++) {
      const dev = await wideDevice(d * PER_DEVICE, PER_DEVICE);
      devices.push(dev);
      await host.hub.call('createSession', {
        protocol: 'lines', name: `Rack ${d + 1}`, linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: dev.port },
        options: { format: 'csv', maxLineLength: 65_536, maxSignals: 4096 },
      });
    }
    await waitUntil('the three devices\' signals', () => host.hub.store.list().length >= 3 * PER_DEVICE, 15_000, () => `${host.hub.store.list().length} signals`);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await Promise.all(devices.map((d) => d.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('finds a signal by substring and by regular expression, picks it from the keyboard and by dragging', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    await page.locator('.dv-tab', { hasText: /^Signals$/ }).click();
    const picker = page.locator('[data-panel-kind="signals"]');
    const count = picker.getByTestId('signal-picker-count');
    await expect.poll(() => count.textContent(), { timeout: 15_000 }).toBe(`${3 * PER_DEVICE} signals`);
    // Virtualised: only the rows in view (and a few either side) are in the DOM.
    expect(await picker.getByTestId('signal-picker-row').count()).toBeLessThan(80);

    const search = picker.getByLabel('Search signals');
    await search.fill('ch07777');
    await expect.poll(() => count.textContent()).toBe(`1 of ${3 * PER_DEVICE} signals`);
    expect(await picker.getByTestId('signal-picker-row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-session')}: ${r.getAttribute('data-signal')}`)))
      .toEqual(['Rack 3: ch07777']);

    // A regular expression: every hundredth signal below 10,000, across the three racks.
    await picker.getByRole('button', { name: '.*' }).click();
    await search.fill('^ch0[0-9]{2}00$');
    await expect.poll(() => count.textContent()).toBe(`100 of ${3 * PER_DEVICE} signals`);
    await search.fill('^ch0(');
    await expect.poll(() => count.textContent()).toMatch(/^not a regular expression: .*(unterminated|missing)/i);
    await search.fill('^ch1019[89]$');
    await expect.poll(() => count.textContent()).toBe(`2 of ${3 * PER_DEVICE} signals`);

    // Each rack opened with a plot of its first signals; pick onto rack 3's.
    const onRack3 = async () => (await host.hub.call('getPlots', {})).find((p) => p.title === 'Rack 3')!.signals.map((s) => `${s.session}: ${s.signal}`);
    const first = await onRack3();
    expect(first.length).toBeGreaterThan(0);
    await picker.getByLabel('Plot to pick onto').selectOption({ label: 'Rack 3' });
    // Keyboard: Enter picks the first match, Down then Space in the list the next.
    await search.press('Enter');
    await expect.poll(onRack3).toEqual([...first, 'Rack 3: ch10198']);
    await search.press('ArrowDown');
    const list = picker.getByTestId('signal-picker-list');
    await list.focus();
    await page.keyboard.press('Space');
    await expect.poll(onRack3).toEqual([...first, 'Rack 3: ch10198', 'Rack 3: ch10199']);
    expect(await picker.locator('[role="option"][aria-selected="true"]').count()).toBe(2);

    // Drag: a signal from rack 1 onto rack 3's plot.
    await picker.getByRole('button', { name: '.*' }).click();
    await search.fill('ch00042');
    await expect.poll(() => count.textContent()).toBe(`1 of ${3 * PER_DEVICE} signals`);
    await page.locator('.dv-tab', { hasText: /^Rack 3$/ }).last().click();
    const plot = page.getByTestId('plot').filter({ has: page.locator('input[aria-label="Plot title"][value="Rack 3"]') });
    await expect.poll(() => plot.count(), { timeout: 5000 }).toBe(1);
    await picker.getByTestId('signal-picker-row').first().dragTo(plot.locator('.plot-chart'));
    await expect.poll(onRack3).toEqual([...first, 'Rack 3: ch10198', 'Rack 3: ch10199', 'Rack 1: ch00042']);
    await expect.poll(() => plot.getByRole('button', { name: /^Signals \(/ }).textContent(), { timeout: 5000 }).toBe(`Signals (${first.length + 3})`);
    await page.screenshot({ path: path.join(SHOTS, 'signal-picker-1280x720.png') });

    // The plot's own picker searches the same way and unticks.
    await plot.getByRole('button', { name: /^Signals \(/ }).click();
    const own = plot.getByRole('group', { name: 'Signals to plot' });
    await own.getByLabel('Search signals').fill('ch10199');
    await expect.poll(() => own.getByTestId('signal-picker-row').count()).toBe(1);
    expect(await own.getByTestId('signal-picker-row').getAttribute('aria-selected')).toBe('true');
    await own.getByTestId('signal-picker-row').click();
    await expect.poll(onRack3).toEqual([...first, 'Rack 3: ch10198', 'Rack 1: ch00042']);
    await page.screenshot({ path: path.join(SHOTS, 'signal-picker-plot-1280x720.png') });
    expect(errors).toEqual([]);
    await page.close();
  });
});
