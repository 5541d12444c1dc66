// Capture as a user does it in Chromium against the headless host: record the demo
// bench from the top bar and find it in the recordings list; arm a single trigger
// on a plot and see the frozen capture in its own view.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { launchChromium, watchErrors } from './browser';

describe('capture in Chromium', () => {
  let dir: string;
  let host: RunningHost;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-e2e-capture-'));
    host = await startHost({ port: 0, userDataDir: path.join(dir, 'data'), statusMs: 250 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts and stops a recording; it shows in the recordings list', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    await expect.poll(() => page.getByTestId('session-row').first().getAttribute('data-comm-state'), { timeout: 10_000 }).toBe('ConnectedReady');
    const bar = page.getByTestId('recording-bar');
    await bar.getByRole('button', { name: '● Record' }).click();
    await expect.poll(() => bar.getAttribute('data-state'), { timeout: 5000 }).toBe('recording');
    await expect.poll(() => page.getByTestId('recording-elapsed').textContent(), { timeout: 5000 }).toMatch(/00:0[1-9]/);
    await bar.getByRole('button', { name: '■ Stop recording' }).click();
    await expect.poll(() => bar.getAttribute('data-state'), { timeout: 5000 }).toBe('stopped');
    expect(await page.getByTestId('recording-size').textContent()).toMatch(/KiB|MiB/);

    const files = await readdir(path.join(dir, 'data', 'recordings'));
    expect(files).toHaveLength(1);
    await bar.getByRole('button', { name: 'Recordings' }).click();
    const row = page.getByTestId('recording-row');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.getAttribute('data-name')).toBe(files[0]!.replace(/\.mcap$/, ''));
    expect(await row.textContent()).toContain('Demo waveform generator');
    await row.getByRole('button', { name: 'Export CSV' }).click();
    await expect.poll(() => page.getByTestId('recordings-list').getByRole('status').textContent(), { timeout: 10_000 }).toMatch(/Exported \d+ rows to .*\.csv/);
    // Or downloaded by the browser, streamed by the host.
    const download = page.waitForEvent('download');
    await row.getByRole('link', { name: 'Download CSV' }).click();
    const saved = await (await download).path();
    const csv = (await readFile(saved!, 'utf8')).split('\n');
    expect(csv[0]).toMatch(/^time,Demo waveform generator\/sine1/);
    expect(csv.length).toBeGreaterThan(10);

    // A recording of chosen sessions only.
    await bar.getByRole('button', { name: 'Recordings', exact: true }).click();
    await bar.getByRole('button', { name: 'Sessions to record' }).click();
    const chooser = bar.getByRole('group', { name: 'Sessions to record' });
    await chooser.getByLabel('All sessions').uncheck();
    expect(await bar.getByRole('button', { name: '● Record' }).isDisabled()).toBe(true);
    await chooser.getByLabel('Demo KATCP server').check();
    expect(await bar.getByRole('button', { name: 'Sessions to record' }).textContent()).toMatch(/^1 of \d+ sessions/);
    await bar.getByRole('button', { name: '● Record' }).click();
    await expect.poll(() => bar.getAttribute('data-state'), { timeout: 5000 }).toBe('recording');
    await page.waitForTimeout(1200);
    await bar.getByRole('button', { name: '■ Stop recording' }).click();
    await expect.poll(() => bar.getAttribute('data-state'), { timeout: 5000 }).toBe('stopped');
    const recordings = await host.hub.call('listRecordings', {});
    expect(recordings).toHaveLength(2);
    const newest = recordings.find((r) => r.name !== files[0]!.replace(/\.mcap$/, ''))!;
    expect(newest.sessions.map((x) => x.name)).toEqual(['Demo KATCP server']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('arms a single trigger on a plot and shows the frozen capture', async () => {
    // A plot of the waveform generator (the default plot shows whichever session comes first).
    await host.hub.call('setPlots', { plots: [{ id: 'wave', title: 'Waveform', windowSeconds: 10, signals: [{ session: 'Demo waveform generator', signal: 'sine1' }] }] });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    const plot = page.locator('[data-plot-id="wave"]');
    await expect.poll(() => plot.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => Number(await plot.getByTestId('plot-received').textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
    await plot.getByRole('button', { name: 'Trigger…' }).click();
    const form = plot.getByRole('form', { name: 'Scope trigger' });
    const signal = form.getByLabel('Trigger signal');
    const options = await signal.locator('option').allTextContents();
    const sine = options.find((o) => /sine/.test(o));
    expect(sine, `a sine among ${options.join(', ')}`).toBeDefined();
    await signal.selectOption({ label: sine! });
    await form.getByLabel('Trigger condition').selectOption('either');
    await form.getByLabel('Trigger level').fill('0');
    await form.getByLabel('Capture length', { exact: true }).fill('200');
    await form.getByLabel('Trigger mode').selectOption('single');
    await form.getByRole('button', { name: 'Arm' }).click();
    const view = plot.getByTestId('capture-view');
    await expect.poll(() => view.count(), { timeout: 10_000 }).toBe(1);
    expect(await view.getAttribute('data-samples')).toBe('200');
    expect(await view.getAttribute('data-trigger-index')).toBe('100');
    const canvas = view.locator('canvas').first();
    expect((await canvas.boundingBox())!.width).toBeGreaterThan(300);
    await expect.poll(() => form.getByTestId('trigger-state').textContent(), { timeout: 5000 }).toMatch(/stopped · 1 captures/);
    await view.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await readdir(path.join(dir, 'data', 'acquisitions')).catch(() => [])).length, { timeout: 5000 }).toBe(1);
    // As an MCAP recording, in the recordings list.
    await view.getByRole('button', { name: 'MCAP' }).click();
    await expect.poll(() => view.getByRole('status').textContent(), { timeout: 5000 }).toMatch(/Written to .*recordings.*\.mcap/);
    expect((await host.hub.call('listRecordings', {})).some((r) => r.sessions.some((x) => x.protocol === 'acquisition'))).toBe(true);
    await page.screenshot({ path: path.join(dir, 'capture.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens a recording into the plots: plays, pauses, seeks, closes', async () => {
    const waveform = (await host.hub.call('getServerStatus', {})).sessions.find((x) => x.name === 'Demo waveform generator')!;
    await host.hub.call('startRecording', { name: 'replay e2e', sessionIds: [waveform.sessionId] });
    await new Promise((r) => setTimeout(r, 2500));
    await host.hub.call('stopRecording', {});
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    const bar = page.getByTestId('recording-bar');
    await bar.getByRole('button', { name: 'Recordings', exact: true }).click();
    const row = page.locator('[data-testid="recording-row"][data-name="replay e2e"]');
    await row.getByRole('button', { name: 'Open' }).click();
    // The timeline above the plots, playing; the list closes; a plot of the replay's signals.
    const timeline = page.getByTestId('replay-bar');
    await expect.poll(() => timeline.count(), { timeout: 5000 }).toBe(1);
    await expect.poll(() => page.getByTestId('recordings-list').count(), { timeout: 5000 }).toBe(0);
    expect(await timeline.getAttribute('data-playing')).toBe('true');
    const plot = page.getByTestId('plot').filter({ has: page.locator('input[value="Replay: replay e2e"]') });
    await expect.poll(() => plot.count(), { timeout: 5000 }).toBe(1);
    await expect.poll(async () => Number(await plot.getByTestId('plot-points').textContent()), { timeout: 10_000 }).toBeGreaterThan(100);
    expect(await plot.locator('.live').textContent()).toBe('▶ replay');
    // Played to its end (2.5 s at 1x), the timeline stops there.
    await expect.poll(() => timeline.getAttribute('data-playing'), { timeout: 10_000 }).toBe('false');
    const end = await timeline.getByTestId('replay-time').textContent();
    expect(end).toMatch(/^0:0?2\.\d \/ 0:0?2\.\d/);
    const received = Number(await plot.getByTestId('plot-received').textContent());
    expect(received).toBeGreaterThan(100);
    // Seek to the start with the keyboard (Home): the playhead and the plot start again there.
    const slider = timeline.getByRole('slider', { name: 'Replay position' });
    await slider.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => timeline.getByTestId('replay-time').textContent(), { timeout: 5000 }).toMatch(/^0:00\.0 \//);
    // Play at 0.5x for a moment, then pause: the playhead holds.
    await timeline.getByLabel('Replay speed').selectOption('0.5');
    await timeline.getByRole('button', { name: 'Play replay' }).click();
    await expect.poll(() => timeline.getAttribute('data-playing'), { timeout: 5000 }).toBe('true');
    await page.waitForTimeout(800);
    await timeline.getByRole('button', { name: 'Pause replay' }).click();
    await expect.poll(() => timeline.getAttribute('data-playing'), { timeout: 5000 }).toBe('false');
    const held = await timeline.getByTestId('replay-time').textContent();
    expect(held).toMatch(/^0:00\.[2-9] \//);
    await page.waitForTimeout(500);
    expect(await timeline.getByTestId('replay-time').textContent()).toBe(held);
    const status = await host.hub.call('listReplays', {});
    expect(status[0]).toMatchObject({ playing: false, speed: 0.5 });
    await expect.poll(async () => Number(await plot.getByTestId('plot-frame-points').textContent()), { timeout: 5000 }).toBeGreaterThan(10);
    // The recorded console up to the playhead.
    await timeline.getByRole('button', { name: 'Console' }).click();
    await expect.poll(() => timeline.getByTestId('replay-console-line').count(), { timeout: 5000 }).toBeGreaterThan(0);
    expect(await timeline.getByTestId('replay-console-line').last().textContent()).toMatch(/rx.*Demo waveform generator/);
    await page.screenshot({ path: path.join(dir, 'replay.png') });
    await timeline.getByRole('button', { name: 'Close Replay: replay e2e' }).click();
    await expect.poll(() => timeline.count(), { timeout: 5000 }).toBe(0);
    await expect.poll(() => plot.count(), { timeout: 5000 }).toBe(0);
    expect(await host.hub.call('listReplays', {})).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
