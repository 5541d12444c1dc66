// The Scrutiny workbench as a user sees it in Chromium: a session made with the link
// form connects to the emulated device over UDP, a variable moves in a plot, a value
// written from the watch table reads back, and an acquisition shows in its chart.
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { startScrutinyEmulator, type ScrutinyEmulator } from '../../main/protocols/scrutiny/emulator';
import { EMU_BASE, EMU_FIRMWARE_ID, emuVariable } from '../../main/protocols/scrutiny/emulator-memory';
import { emulatorSfd } from '../../main/protocols/scrutiny/emulator-sfd';
import { launchChromium, watchErrors } from './browser';

describe('Scrutiny in Chromium', () => {
  let host: RunningHost;
  let browser: Browser;
  let emu: ScrutinyEmulator;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'benchscope-scrutiny-data-'));
    emu = await startScrutinyEmulator({ transport: 'udp' });
    host = await startHost({ port: 0, userDataDir: dataDir, demoOnFirstStart: false, statusMs: 100 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await emu?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('connects by the link form, plots a variable, writes from the watch table and charts an acquisition', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1400 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    await page.getByTestId('new-session').click();
    const dialog = page.getByRole('dialog', { name: 'New session' });
    await dialog.getByLabel('Name').fill('Bench board');
    await dialog.getByLabel('Protocol').selectOption('scrutiny');
    await dialog.getByLabel('Link type').selectOption('udp');
    await dialog.getByLabel('Host').fill('127.0.0.1');
    await dialog.getByLabel('Port', { exact: true }).fill(String(emu.port));
    await dialog.getByRole('button', { name: 'Create' }).click();
    const row = page.getByTestId('session-row').filter({ hasText: 'Bench board' });
    await expect.poll(() => row.getAttribute('data-comm-state'), { timeout: 10_000 }).toBe('ConnectedReady');
    await row.click();
    const panel = page.getByTestId('scrutiny-panel');

    // A variable found by search goes into this session's plot, and moves there.
    await panel.getByLabel('Search variables').fill('demo/sine');
    await panel.getByRole('button', { name: 'Plot /global/demo/sine' }).click();
    const plot = page.getByTestId('plot').filter({ hasText: 'Scrutiny: Bench board' });
    await expect.poll(() => plot.count(), { timeout: 5000 }).toBe(1);
    const received = async () => Number((await plot.getByTestId('plot-received').textContent())?.replace(/[^0-9]/g, '') || '0');
    await expect.poll(received, { timeout: 10_000 }).toBeGreaterThan(20);

    // Dragged from the list into the watch table, written from it, read back.
    await panel.getByLabel('Search variables').fill('demo/setpoint');
    const watch = panel.getByTestId('scrutiny-watch');
    await panel.locator('[role="listitem"][data-path="/global/demo/setpoint"]').dragTo(watch);
    const setpoint = watch.locator('tr[data-path="/global/demo/setpoint"]');
    await expect.poll(() => setpoint.count(), { timeout: 5000 }).toBe(1);
    await setpoint.getByLabel('New value of /global/demo/setpoint').fill('-1234');
    await setpoint.getByRole('button', { name: 'Write' }).click();
    await expect.poll(() => setpoint.getByTestId('scrutiny-value').textContent(), { timeout: 5000 }).toBe('-1234');
    expect(emu.device.memory.view.getInt32(emuVariable('/global/demo/setpoint').address - EMU_BASE, true)).toBe(-1234);
    await setpoint.getByLabel('New value of /global/demo/setpoint').fill('many');
    await setpoint.getByRole('button', { name: 'Write' }).click();
    await expect.poll(() => setpoint.getByRole('alert').textContent(), { timeout: 5000 }).toMatch(/"many" is not a number/);
    await expect.poll(async () => Number((await watch.getByTestId('scrutiny-refresh-rate').textContent())?.split(' ')[0]), { timeout: 5000 }).toBeGreaterThan(1);

    // Dragged from the tree onto the plot: watched, then plotted there.
    await panel.locator('[role="listitem"][data-path="/global/demo/setpoint"]').dragTo(plot.locator('.plot-chart'));
    await expect.poll(() => plot.getByRole('button', { name: /^Signals \(/ }).textContent(), { timeout: 5000 }).toBe('Signals (2)');

    // An acquisition: the form is checked before sending, then armed, completed, downloaded, charted.
    const dl = panel.getByTestId('scrutiny-datalogging');
    await dl.getByLabel('Decimation').fill('0');
    await dl.getByRole('button', { name: 'Arm', exact: true }).click();
    await expect.poll(() => dl.getByText('Decimation is a whole number from 1 to 65535').count()).toBe(1);
    await dl.getByLabel('Decimation').fill('2');
    await dl.getByLabel('Trigger condition').selectOption('gt');
    await dl.getByLabel('Operand A').fill('/rpv/x1000');
    await dl.getByLabel('Operand B').fill('0.5');
    await dl.getByRole('button', { name: 'Add signal' }).click();
    await dl.getByLabel('Signal 2', { exact: true }).fill('/global/demo/sine');
    await dl.getByRole('button', { name: 'Add signal' }).click();
    await dl.getByLabel('Signal 3', { exact: true }).fill('/global/demo/counter');
    await dl.getByRole('button', { name: 'Arm', exact: true }).click();
    await expect.poll(() => dl.getByTestId('scrutiny-acquisition-summary').count(), { timeout: 15_000 }).toBe(1);
    const chart = dl.getByTestId('scrutiny-acquisition-chart');
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(100);
    expect(await chart.locator('canvas').count()).toBe(1);
    expect(await chart.locator('.u-legend .u-series').count()).toBe(3);
    expect(await dl.getByLabel('Acquisition completion').getAttribute('value')).toBe('1');
    // Exported as CSV (every logged signal, a row per point) and PNG.
    const csvDownload = page.waitForEvent('download');
    await dl.getByRole('button', { name: 'CSV', exact: true }).first().click();
    const csvLines = (await readFile((await (await csvDownload).path())!, 'utf8')).trimEnd().split('\n');
    expect(csvLines[0]!.split(',')).toHaveLength(3);
    expect(csvLines).toHaveLength(Number(await chart.getAttribute('data-points')) + 1);
    const pngDownload = page.waitForEvent('download');
    await dl.getByRole('button', { name: 'PNG', exact: true }).click();
    expect((await (await pngDownload).suggestedFilename())).toMatch(/\.png$/);
    // Kept in the acquisitions store: one arm, one entry (one file) holding every logged signal besides time.
    expect(await dl.getByTestId('scrutiny-acquisition-summary').textContent()).toMatch(/stored in Acquisitions \(one entry, 2 signals\)/);
    expect((await readdir(path.join(dataDir, 'acquisitions'))).filter((n) => n.endsWith('.mcap'))).toHaveLength(1);

    // Listed under the chart as one row: renamed, shown again with both signals, then deleted.
    const stored = dl.locator('.scrutiny-stored tr[data-acquisition]');
    await expect.poll(() => stored.count(), { timeout: 5000 }).toBe(1);
    expect(await stored.textContent()).toMatch(/Scrutiny \d+ sine counter .*2 signals/);
    await stored.getByRole('button', { name: 'rename', exact: true }).click();
    await stored.getByRole('textbox').fill('sine run one');
    await stored.getByRole('button', { name: 'Rename', exact: true }).click();
    await expect.poll(() => dl.locator('.scrutiny-stored').getByText('sine run one').count(), { timeout: 5000 }).toBe(1);
    await stored.getByRole('button', { name: 'show' }).click();
    await expect.poll(() => chart.locator('.u-legend .u-series').count(), { timeout: 5000 }).toBe(3);
    expect(await chart.locator('.u-legend').textContent()).toMatch(/sine.*counter/);
    await stored.getByRole('button', { name: /^Delete/ }).click();
    await expect.poll(() => stored.count(), { timeout: 5000 }).toBe(0);

    // A firmware description installed from a file, kept under its firmware id.
    await panel.getByText(/^Firmware descriptions/).click();
    await panel.getByLabel('Install a firmware description').setInputFiles({ name: 'board.sfd', mimeType: 'application/zip', buffer: Buffer.from(emulatorSfd()) });
    await expect.poll(() => panel.getByRole('status').filter({ hasText: 'Installed board.sfd' }).count(), { timeout: 5000 }).toBe(1);
    await expect.poll(() => panel.locator('.scrutiny-sfd-list li').filter({ hasText: '(this device)' }).count(), { timeout: 5000 }).toBe(1);
    expect(await readdir(path.join(dataDir, 'scrutiny-sfd'))).toEqual([`${EMU_FIRMWARE_ID}.sfd`]);

    expect(errors).toEqual([]);
    const dir = path.join(tmpdir(), 'benchscope-scrutiny-e2e');
    await mkdir(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, 'scrutiny-workbench.png'), fullPage: true });
    await page.close();
  }, 120_000);
});
