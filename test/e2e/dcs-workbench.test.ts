// DCS as a user sees it in Chromium: the emulated DHS connects to a DCS session,
// a motor move is started from the panel, and its position plots until completion.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { startDcsEmulator, type DcsEmulator } from '../../main/protocols/dcs/emulator';
import { BenchscopeClient, parseDatabaseFile, type WebSocketCtor } from '../../shared/client';
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
    await plot.getByLabel('Search signals').fill('DHS under test: sample_x');
    const mine = plot.locator('[data-testid="signal-picker-row"][data-session="DHS under test"][data-signal="sample_x"]');
    await expect.poll(() => mine.count(), { timeout: 5000 }).toBe(1);
    await mine.click();

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
  it('imports a DCSS database.dat into the form, lists what it did not keep, applies it, and a DHS gets its motors configured', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    await page.getByTestId('session-row').filter({ hasText: 'DHS under test' }).click();
    const panel = page.getByTestId('dcs-panel');
    await panel.getByText('Configuration', { exact: true }).click();
    const input = panel.getByLabel('Import a DCSS database file (database.dat)');

    // A file cut short, picked with the button, is refused with its line; the form keeps what it had.
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), panel.getByRole('button', { name: 'Import database.dat…' }).click()]);
    await chooser.setFiles({ name: 'cut.dat', mimeType: 'text/plain', buffer: Buffer.from('galilA\n3\nlocalhost 2\n\nsample_x\n1\ngalilA sample_x\n0 1 1 1 1\n') });
    await expect.poll(() => panel.getByRole('alert').first().textContent()).toBe(
      "Not imported: cut.dat, line 8: real motor 'sample_x' has 4 lines; a real motor has 7 lines (name, type, host and hardware name, staff and user permissions, dependencies, configuration)");
    expect(await panel.getByRole('group', { name: 'Hardware server simdhs' }).count()).toBe(1);

    // The beamline file of the unit tests, its motion DHS allowed from this machine.
    const file = readFileSync(path.join(__dirname, '../unit/dcs-database-file.fixture.dat'), 'utf8').replace('192.0.2.21', '127.0.0.1');
    await input.setInputFiles({ name: 'bench-9.dat', mimeType: 'text/plain', buffer: Buffer.from(file) });
    const summary = panel.getByTestId('dcs-database-import');
    await expect.poll(() => summary.textContent()).toMatch(/^bench-9\.dat: 3 hardware servers and 19 devices are in the form below; nothing is applied until you apply the configuration\. Not kept or changed \(14\):/);
    const notes = summary.getByRole('list', { name: 'Not kept from bench-9.dat' });
    expect(await notes.getByRole('listitem').count()).toBe(14);
    expect(await notes.getByText("line 176: run definition 'run0' is not kept (runs are DCSS's own data collection, not a DHS's)").count()).toBe(1);
    expect(await notes.getByText("line 33: real motor 'gonio_phi': staff/user permissions (0 1 1 1 1 / 0 0 0 0 0) not kept; an export writes DCSS's default 0 1 1 1 1").count()).toBe(1);
    // Nothing applied yet: the engine still plays DCSS with its earlier configuration.
    const servers = panel.getByRole('table', { name: 'Hardware servers' });
    expect(await servers.locator('tr[data-dhs="galilA"]').count()).toBe(0);
    const galil = panel.getByRole('group', { name: 'Hardware server galilA' });
    expect(await galil.getByLabel('Allowed address (* for any)').inputValue()).toBe('127.0.0.1');
    expect(await galil.getByLabel('Name of real motor 2', { exact: true }).inputValue()).toBe('sample_z');
    expect(await galil.getByLabel('Hardware name of real motor 2', { exact: true }).inputValue()).toBe('SAMPLE_Z_AXIS');
    await page.screenshot({ path: '/tmp/benchscope-dcs-database-1280.png' });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: '/tmp/benchscope-dcs-database-1920.png' });
    await summary.screenshot({ path: '/tmp/benchscope-dcs-database-notes.png' });

    await panel.getByRole('button', { name: 'Apply configuration' }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toMatch(/^Applied/);
    await expect.poll(() => servers.locator('tr[data-dhs="galilA"]').count(), { timeout: 5000 }).toBe(1);
    let port = 0;
    for (let i = 0; i < 100 && !port; i++) {
      const s = (await client.requestServerStatusUpdate({ wait: true }))!.sessions.find((x) => x.name === 'DHS under test')!;
      port = s.deviceLink.operational ? Number(s.deviceLink.endpoint.split(':').pop()) : 0;
    }
    const galilA = await startDcsEmulator({ port, name: 'galilA', reconnectMs: 100 });
    try {
      await galilA.whenRegistered();
      await expect.poll(() => [...galilA.registered].sort(), { timeout: 5000 }).toEqual(
        ['beam_dac', 'beam_size', 'gap_request', 'gonio_kappa', 'gonio_phi', 'phi_encoder', 'sample_x', 'sample_x_encoder', 'sample_z', 'table_pitch', 'table_up']);
      // The DHS got each motor's configuration from the file and reports its position back.
      await expect.poll(() => panel.getByTestId('dcs-position-sample_z').textContent(), { timeout: 5000 }).toBe('-3.5 mm');
      await expect.poll(() => panel.getByTestId('dcs-position-sample_x').textContent(), { timeout: 5000 }).toBe('1.25 mm');
      await expect.poll(() => panel.getByTestId('dcs-position-table_pitch').textContent(), { timeout: 5000 }).toBe('0.01 mrad');
      await expect.poll(() => servers.locator('tr[data-dhs="galilA"]').textContent(), { timeout: 5000 }).toMatch(/connected from/);
    } finally {
      await galilA.close();
    }

    // Export gives the applied configuration back in DCSS's layout.
    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Export database.dat' }).click()]);
    expect(download.suggestedFilename()).toBe('database.dat');
    const exported = parseDatabaseFile(readFileSync(await download.path(), 'utf8'));
    const applied = (await client.request('listSessions', {})).find((x) => x.name === 'DHS under test')!.options as { hardwareServers: unknown[] };
    expect(exported.ok && exported.config.hardwareServers).toEqual(applied.hardwareServers);
    expect(await panel.getByTestId('dcs-database-export').textContent()).toBe('database.dat downloaded. It holds the whole configuration.');
    expect(errors).toEqual([]);
    await page.close();
  });
});
