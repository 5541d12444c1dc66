// Selecting each demo session in turn shows that session's protocol panel only:
// the one shown before never stays in the page (it used to, stacked, one per selection).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { launchChromium } from './browser';

describe('selecting sessions', () => {
  let dir: string;
  let host: RunningHost;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-select-'));
    host = await startHost({ port: 0, userDataDir: path.join(dir, 'data') });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('never leaves another session\'s workbench in view', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(host.url);
    const rows = page.getByTestId('session-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(6);
    const panels = () => page.evaluate(() => [...document.querySelectorAll('.protocol-area > *')].map((e) => e.className));
    const names = ['Demo hexapod controller', 'Demo KATCP server', 'Demo waveform generator', 'Demo DCS hardware server', 'Demo hexapod controller', 'Demo waveform generator'];
    for (const name of names) {
      await rows.filter({ hasText: name }).click();
      await expect.poll(async () => (await panels()).length, { timeout: 5000 }).toBe(1);
      await page.waitForTimeout(300);
      expect(await panels(), name).toHaveLength(1);
    }
    expect((await panels())[0]).toContain('lines-panel');
    await page.close();
  }, 90_000);
});
