// DCS as a user sees it in Chromium: the emulated DHS connects to a DCS session,
// a motor move is started from the panel, and its position plots until completion.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { startDcsEmulator, type DcsEmulator } from '../../main/protocols/dcs/emulator';
import { BenchscopeClient, type WebSocketCtor } from '../../shared/client';
import { launchChromium, watchErrors } from './browser';

describe('DCS in Chromium', () => {
  let host: RunningHost;
  let browser: Browser;
  let dhs: DcsEmulator;
  const client = new BenchscopeClient();

  beforeAll(async () => {
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 100 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WebSocket as unknown as WebSocketCtor });
    const sessionId = await client.createSession({ protocol: 'dcs', name: 'DHS under test', linkType: 'tcp-server', linkConfig: { host: '127.0.0.1', port: 0 } });
    let port = 0;
    for (let i = 0; i < 50 && !port; i++) {
      const s = (await client.requestServerStatusUpdate({ wait: true }))!.sessions.find((x) => x.sessionId === sessionId)!;
      port = Number(s.deviceLink.endpoint.split(':').pop());
    }
    dhs = await startDcsEmulator({ port, reconnectMs: 100 });
    await client.waitDeviceReady(sessionId, 5);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await dhs?.close();
    client.disconnect();
    await host?.close();
  });

  it('moves a motor from the panel and its position plots until completion', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    const row = page.getByTestId('session-row').filter({ hasText: 'DHS under test' });
    await expect.poll(() => row.getAttribute('data-comm-state'), { timeout: 10_000 }).toBe('ConnectedReady');
    await row.click();
    const panel = page.getByTestId('dcs-panel');
    await expect.poll(() => panel.getByRole('table', { name: 'Hardware servers' }).getByText(/^connected from/).count(), { timeout: 5000 }).toBe(1);

    await page.getByRole('button', { name: 'Add plot' }).click();
    const plot = page.getByTestId('plot').last();
    const chooser = plot.getByRole('button', { name: /^Signals/ });
    if ((await chooser.getAttribute('aria-expanded')) !== 'true') await chooser.click();
    const mine = plot.getByRole('group', { name: 'DHS under test' });
    await expect.poll(() => mine.getByLabel('sample_x [mm]', { exact: true }).count(), { timeout: 5000 }).toBe(1);
    await mine.getByLabel('sample_x [mm]', { exact: true }).check();

    const received = async () => Number((await plot.getByTestId('plot-received').textContent())?.replace(/[^0-9]/g, ''));
    const before = await received();
    await panel.getByLabel('Target of sample_x').fill('12');
    await panel.locator('tr[data-motor="sample_x"]').getByRole('button', { name: 'Move' }).click();
    await expect.poll(() => panel.getByTestId('dcs-position-sample_x').textContent(), { timeout: 10_000 }).toBe('12 mm');
    await expect.poll(() => panel.getByText('sample_x at 12 (normal)').count(), { timeout: 5000 }).toBe(1);
    // Positions reported on the way (20 mm/s with 100 ms ramps: about 12 reports) reached the plot.
    await expect.poll(received, { timeout: 5000 }).toBeGreaterThan(before + 5);
    // The move's start and completion are marks on the motor's plot.
    await expect.poll(async () => Number(await plot.getByTestId('plot-marks').textContent()), { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('edits the configuration in forms: a second hardware server is added, applied, and takes its DHS', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    await page.getByTestId('session-row').filter({ hasText: 'DHS under test' }).click();
    const panel = page.getByTestId('dcs-panel');
    await panel.getByText('Configuration', { exact: true }).click();
    await panel.getByRole('button', { name: 'Add hardware server' }).click();
    const second = panel.getByRole('group', { name: 'Hardware server dhs2' });
    await second.getByLabel('DHS name').fill('tabledhs');
    const table = panel.getByRole('group', { name: 'Hardware server tabledhs' });
    await table.getByRole('button', { name: 'Add real motor' }).click();
    await table.getByLabel('Name of real motor 1', { exact: true }).fill('table_z');
    // A bad value is refused beside its field, before anything is sent.
    await table.getByLabel('Speed of real motor 1').fill('fast');
    await panel.getByRole('button', { name: 'Apply configuration' }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toMatch(/Not applied: the configuration has errors/);
    expect(await table.getByRole('alert').textContent()).toContain('Speed must be a number');
    await table.getByLabel('Speed of real motor 1').fill('5000');
    await panel.getByRole('button', { name: 'Apply configuration' }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toMatch(/^Applied/);
    const servers = panel.getByRole('table', { name: 'Hardware servers' });
    await expect.poll(() => servers.locator('tr[data-dhs="tabledhs"]').count(), { timeout: 5000 }).toBe(1);
    // The session listens again: find its port and let a second DHS in.
    let port = 0;
    for (let i = 0; i < 100 && !port; i++) {
      const s = (await client.requestServerStatusUpdate({ wait: true }))!.sessions.find((x) => x.name === 'DHS under test')!;
      port = s.deviceLink.operational ? Number(s.deviceLink.endpoint.split(':').pop()) : 0;
    }
    const second2 = await startDcsEmulator({ port, name: 'tabledhs', reconnectMs: 100 });
    try {
      await second2.whenRegistered();
      await expect.poll(() => servers.locator('tr[data-dhs="tabledhs"]').textContent(), { timeout: 5000 }).toMatch(/connected from/);
      await expect.poll(() => panel.locator('tr[data-motor="table_z"]').count(), { timeout: 5000 }).toBe(1);
      // The device tree groups devices under the hardware server that owns them.
      const tree = panel.getByRole('tree', { name: 'Devices by hardware server' });
      await expect.poll(() => tree.getByRole('treeitem', { name: 'tabledhs devices' }).textContent(), { timeout: 5000 }).toMatch(/connected from[\s\S]*motors: table_z/);
      expect(await tree.getByRole('treeitem', { name: 'simdhs devices' }).textContent()).toMatch(/motors: sample_x, sample_y, gonio_phi, energy/);
      await page.screenshot({ path: '/tmp/benchscope-dcs-config.png', fullPage: true });
    } finally {
      await second2.close();
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});
