// The demo hexapod in Chromium: the user selects it, enables and moves it from
// the command form, sees both commands acknowledged in the history, and its
// position plot draws the move. (Runs against the built renderer, as npm test does.)
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { launchChromium, watchErrors } from '../e2e/browser';

describe('demo hexapod in Chromium', () => {
  let dir: string;
  let host: RunningHost;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-hexrot-e2e-'));
    host = await startHost({ port: 0, userDataDir: path.join(dir, 'data') });
    await host.hub.call('setPlots', { plots: [{ id: 'hexapod', title: 'Hexapod position', signals: [{ session: 'Demo hexapod controller', signal: 'curr_position' }], windowSeconds: 30 }] });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('enables and moves the demo hexapod from the command form and plots its position', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    const row = page.getByTestId('session-row').filter({ hasText: 'Demo hexapod controller' });
    await expect.poll(() => row.getAttribute('data-comm-state'), { timeout: 10_000 }).toBe('ConnectedReady');
    await row.click();
    const panel = page.getByTestId('hexrot-panel');
    await expect.poll(() => panel.getByRole('table', { name: 'Configuration' }).textContent(), { timeout: 5000 }).toContain('max_velocity');

    await panel.getByLabel('Command', { exact: true }).selectOption('SET_STATE');
    await panel.getByLabel(/^param1: state/).fill('2');
    await panel.getByRole('button', { name: 'Send' }).click();
    const history = panel.getByRole('table', { name: 'Command history' });
    await expect.poll(() => history.locator('tbody tr').first().textContent(), { timeout: 5000 }).toContain('ACK');

    await panel.getByLabel('Command', { exact: true }).selectOption('MOVE');
    await panel.getByLabel('param1: position').fill('20');
    await panel.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => history.locator('tbody tr').count(), { timeout: 5000 }).toBe(2);
    await expect.poll(() => history.locator('tbody tr').first().textContent(), { timeout: 5000 }).toMatch(/MOVE.*20.*ACK/);

    // The plot set up before the page opened is a panel of its own: bring its tab to the front.
    await page.locator('.dv-tab', { hasText: /^Hexapod position$/ }).click();
    const plot = page.getByTestId('plot').filter({ hasText: 'Hexapod position' });
    const received = async () => Number(((await plot.getByTestId('plot-received').textContent()) ?? '').replace(/[^0-9]/g, ''));
    await expect.poll(received, { timeout: 5000 }).toBeGreaterThan(10);
    const status = host.hub.status().sessions.find((s) => s.name === 'Demo hexapod controller')!;
    const curr = host.hub.store.list(status.sessionId).find((s) => s.name === 'curr_position')!;
    expect(curr.total).toBeGreaterThan(10);
    expect(errors).toEqual([]);
    await page.screenshot({ path: path.join(dir, 'hexapod.png') });
    await page.close();
  });

  it('shows live telemetry beside its chart: field, value, unit, states by name, and a y axis per unit', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    const row = page.getByTestId('session-row').filter({ hasText: 'Demo hexapod controller' });
    await expect.poll(() => row.getAttribute('data-comm-state'), { timeout: 10_000 }).toBe('ConnectedReady');
    await row.click();
    const panel = page.getByTestId('hexrot-panel');
    const table = panel.getByRole('table', { name: 'Telemetry' });
    const cells = (field: string) => table.locator(`tr[data-field="${field}"] td`).allTextContents();
    // The first test enabled the controller and moved it to 20.
    await expect.poll(() => cells('state'), { timeout: 5000 }).toEqual(['ENABLED (2)', '']);
    expect(await cells('application_status')).toEqual(['1024', '']);
    const [position, unit] = await cells('curr_position');
    expect(unit).toBe('mm');
    expect(Number(position)).toBeGreaterThanOrEqual(20);
    await expect.poll(async () => Number((await cells('curr_position'))[0]), { timeout: 5000 }).toBeGreaterThan(Number(position));

    // Maximised (Alt+Shift+M on its tab), the panel has the window's width: the
    // chart stands beside the table, not under it, at this size.
    await page.locator('.dv-tab', { hasText: /^Demo hexapod controller$/ }).first().click();
    await page.keyboard.press('Alt+Shift+M');
    await expect.poll(async () => (await panel.boundingBox())!.width, { timeout: 3000 }).toBeGreaterThan(1000);
    const tableBox = (await table.boundingBox())!;
    const chart = panel.getByTestId('hexrot-telemetry-chart');
    const chartBox = (await chart.boundingBox())!;
    expect(chartBox.x).toBeGreaterThanOrEqual(tableBox.x + tableBox.width);
    expect(chartBox.y).toBeLessThan(tableBox.y + tableBox.height);
    // Time, mm, and the unit-less status word: three axes; state and substate as timelines.
    await expect.poll(() => chart.locator('.u-axis').count(), { timeout: 5000 }).toBe(3);
    expect(await chart.locator('canvas.state-lanes').count()).toBe(1);
    // The panel scrolls inside itself: the page never does, even at 1280 x 720.
    expect(await page.evaluate(() => document.scrollingElement!.scrollHeight)).toBeLessThanOrEqual(720);
    expect(await chart.locator('.u-legend .u-series').allTextContents()).toEqual(expect.arrayContaining([
      expect.stringMatching(/^curr_position \[mm\]/), expect.stringMatching(/^application_status/),
    ]));
    expect(errors).toEqual([]);
    await page.close();
  });
});
