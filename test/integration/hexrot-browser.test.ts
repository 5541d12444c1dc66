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
});
