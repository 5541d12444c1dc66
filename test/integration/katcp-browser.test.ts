// KATCP as a user sees it, in Debian's Chromium against the headless host: a
// session made through the link form, a period strategy set on a float sensor in
// the sensor browser and plotted, a request sent from the request console.
import path from 'node:path';
import os from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { startKatcpEmulator, type KatcpEmulator } from '../../main/protocols/katcp/emulator';
import { launchChromium, watchErrors } from '../e2e/browser';

describe('KATCP in the workbench (Chromium)', () => {
  let dir: string;
  let host: RunningHost;
  let emulator: KatcpEmulator;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-katcp-'));
    emulator = await startKatcpEmulator({ host: '127.0.0.1', port: 0, logEveryMs: 200 });
    host = await startHost({ port: 0, userDataDir: path.join(dir, 'data'), demoOnFirstStart: false });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await emulator?.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('connects by the form, plots a period-sampled sensor, and answers a typed request', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    await page.getByTestId('new-session').click();
    const dialog = page.getByRole('dialog', { name: 'New session' });
    await dialog.getByLabel('Name').fill('Telescope rx');
    await dialog.getByLabel('Protocol').selectOption('katcp');
    await dialog.getByLabel('Link type').selectOption('tcp');
    expect(await dialog.getByLabel('Port', { exact: true }).inputValue()).toBe('7147');
    await dialog.getByLabel('Host').fill('127.0.0.1');
    await dialog.getByLabel('Port', { exact: true }).fill(String(emulator.port));
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => dialog.count()).toBe(0);

    const row = page.getByTestId('session-row').filter({ hasText: 'Telescope rx' });
    await expect.poll(() => row.getAttribute('data-comm-state'), { timeout: 10_000 }).toBe('ConnectedReady');
    await row.click();
    const panel = page.getByTestId('katcp-panel');
    await panel.getByLabel('Strategy of antenna.azimuth').selectOption('period');
    const params = panel.getByLabel('Parameters of antenna.azimuth');
    await params.fill('0.05');
    await params.press('Enter');
    await expect.poll(() => panel.locator('tr[data-sensor="antenna.azimuth"]').textContent(), { timeout: 5000 }).toMatch(/nominal/);
    await panel.locator('tr[data-sensor="antenna.azimuth"]').getByRole('button', { name: 'plot' }).click();
    const plot = page.getByTestId('plot').last();
    await expect.poll(async () => Number((await plot.getByTestId('plot-points').textContent())?.replace(/[^0-9]/g, '')), { timeout: 10_000 }).toBeGreaterThan(10);
    expect(await plot.textContent()).toContain('antenna.azimuth');

    await panel.getByLabel('KATCP request').fill('?sensor-value antenna.elevation');
    await panel.getByRole('button', { name: 'Send request' }).click();
    await expect.poll(() => panel.getByTestId('katcp-console').textContent(), { timeout: 5000 }).toMatch(/!sensor-value\[\d+\] ok 1/);
    expect(await panel.getByTestId('katcp-console').textContent()).toMatch(/#sensor-value\[\d+\] [\d.]+ 1 antenna\.elevation nominal/);
    await expect.poll(() => panel.getByTestId('katcp-log').textContent(), { timeout: 5000 }).toMatch(/telescope\.drive/);

    // The request input recalls earlier requests with the up arrow, as a shell does.
    await panel.getByLabel('KATCP request').fill('');
    await panel.getByLabel('KATCP request').press('ArrowUp');
    expect(await panel.getByLabel('KATCP request').inputValue()).toBe('?sensor-value antenna.elevation');

    // One strategy for every sensor the filter shows (a bulk request when the server has flag B).
    await panel.getByLabel('Filter sensors (text or /regex/)').fill('/^antenna\\./');
    await panel.getByLabel('Strategy for the sensors shown').selectOption('period');
    await panel.getByLabel('Parameters for the sensors shown').fill('0.2');
    await panel.getByRole('button', { name: 'Set strategy' }).click();
    await expect.poll(() => panel.getByRole('status').textContent(), { timeout: 5000 }).toBe('2 of 2 set to period');
    expect(await panel.getByLabel('Strategy of antenna.elevation').inputValue()).toBe('period');
    await panel.getByLabel('Filter sensors (text or /regex/)').fill('');

    // A status change shows as a mark on the sensor's plot.
    emulator.setSensor('antenna.azimuth', 91, 'warn');
    await expect.poll(async () => Number(await plot.getByTestId('plot-marks').textContent()), { timeout: 5000 }).toBeGreaterThan(0);

    // A discrete sensor plots as a state timeline (a lane named by its states, not a line).
    await panel.getByLabel('Strategy of drive.mode').selectOption('event');
    await panel.locator('tr[data-sensor="drive.mode"]').getByRole('button', { name: 'plot' }).click();
    const modePlot = page.getByTestId('plot').last();
    emulator.setSensor('drive.mode', 'slew');
    emulator.setSensor('drive.mode', 'track');
    await expect.poll(() => modePlot.locator('canvas.state-lanes').count(), { timeout: 5000 }).toBe(1);
    await expect.poll(async () => Number((await modePlot.getByTestId('plot-received').textContent())?.replace(/[^0-9]/g, '')), { timeout: 5000 }).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(os.tmpdir(), 'benchscope-katcp-workbench.png'), fullPage: true });
    await page.waitForTimeout(1500);
    await modePlot.scrollIntoViewIfNeeded();
    await modePlot.screenshot({ path: path.join(os.tmpdir(), 'benchscope-katcp-state-plot.png') });
    await plot.scrollIntoViewIfNeeded();
    await plot.screenshot({ path: path.join(os.tmpdir(), 'benchscope-katcp-marks-plot.png') });

    // A request the server fails shows as a failure with the server's code and reason.
    await panel.getByLabel('KATCP request').fill('?sensor-value no.such.sensor');
    await panel.getByRole('button', { name: 'Send request' }).click();
    await expect.poll(() => panel.getByTestId('katcp-request-error').last().textContent(), { timeout: 5000 }).toMatch(/refused by .*: !sensor-value fail .*no\.such\.sensor/);

    // Server gone: every sensor unreachable, the last value kept and marked stale.
    await emulator.close();
    await expect.poll(() => panel.getByTestId('katcp-unreachable').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => panel.locator('tr[data-sensor="antenna.azimuth"]').textContent(), { timeout: 5000 }).toMatch(/91 \(stale\)unreachable/);
    expect(await panel.locator('tr[data-stale="true"]').count()).toBe(await panel.locator('tr[data-sensor]').count());
    expect(errors).toEqual([]);
    await page.close();
  });
});
