// Capture as a user does it in Chromium against the headless host: record the demo
// bench from the top bar and find it in the recordings list; arm a single trigger
// on a plot of three signals and see all three in the frozen capture's own view.
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

  it('arms a single trigger on a plot of 3 signals and shows all 3 in the frozen capture, trigger marked, ticks round', async () => {
    // Three sessions, three rates (200, 50, 20 Hz) and three units (none, mm, deg).
    const plotted = [
      { session: 'Demo waveform generator', signal: 'sine1' },
      { session: 'Demo hexapod controller', signal: 'curr_position' },
      { session: 'Demo KATCP server', signal: 'antenna.azimuth' },
    ];
    await host.hub.call('setPlots', { plots: [{ id: 'wave', title: 'Waveform', windowSeconds: 10, signals: plotted }] });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    const plot = page.locator('[data-plot-id="wave"]');
    await expect.poll(() => plot.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => Number(await plot.getByTestId('plot-received').textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
    await plot.getByRole('button', { name: 'Trigger…' }).click();
    const form = plot.getByRole('form', { name: 'Scope trigger' });
    expect(await form.textContent()).toContain('captures 3 signals of this plot');
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
    expect(await view.getAttribute('data-signals')).toBe('3');
    const canvas = view.locator('canvas').first();
    expect((await canvas.boundingBox())!.width).toBeGreaterThan(300);
    await expect.poll(() => form.getByTestId('trigger-state').textContent(), { timeout: 5000 }).toMatch(/stopped · 1 captures/);

    // The engine's capture: the trigger signal and both others, each at its own rate over the same 1 s window.
    const [summary] = await host.hub.call('listAcquisitions', {});
    const a = await host.hub.call('getAcquisition', { id: summary!.id });
    expect(a.channels!.map((c) => `${c.session}/${c.name} [${c.unit}]`)).toEqual(['Demo hexapod controller/curr_position [mm]', 'Demo KATCP server/antenna.azimuth [deg]']);
    const [hexapod, katcp] = a.channelTimes!;
    expect(hexapod!.length).toBeGreaterThan(30);
    expect(katcp!.length).toBeGreaterThan(10);
    for (const times of a.channelTimes!) {
      expect(times[0]).toBeGreaterThanOrEqual(a.times[0]!);
      expect(times[times.length - 1]).toBeLessThanOrEqual(a.times[a.times.length - 1]!);
    }

    // Three series in the legend, each in its own colour; one y axis per unit, labelled.
    const chart = view.locator('.capture-chart');
    const legend = chart.locator('.u-legend .u-series');
    await expect.poll(() => legend.count()).toBe(4); // the time column, then the three signals
    const labels = await legend.locator('.u-label').allTextContents();
    expect(labels.slice(1)).toEqual(['Demo waveform generator: sine1', 'Demo hexapod controller: curr_position [mm]', 'Demo KATCP server: antenna.azimuth [deg]']);
    const swatches = await legend.locator('.u-marker').evaluateAll((els) => els.slice(1).map((e) => getComputedStyle(e).borderColor));
    expect(new Set(swatches).size).toBe(3);
    expect(await chart.getAttribute('data-y0-ticks')).toBeTruthy();
    expect(await chart.getAttribute('data-y2-ticks')).toBeTruthy();

    // Time ticks on round values from the trigger: evenly spaced by 1, 2 or 5 times a power of ten, 0 among them.
    const xTicks = (await chart.getAttribute('data-x-ticks'))!.split('|');
    expect(xTicks).toContain('0');
    const toSeconds = { s: 1, ms: 1e-3, 'µs': 1e-6, ns: 1e-9 } as const;
    const seconds = xTicks.map((label) => {
      const m = /^(-?\d+(?:\.\d+)?)(?: (s|ms|µs|ns))?$/.exec(label);
      expect(m, `tick label "${label}" is a plain number with a unit`).not.toBeNull();
      return Number(m![1]) * (m![2] ? toSeconds[m![2] as keyof typeof toSeconds] : 1);
    });
    expect(seconds.length).toBeGreaterThanOrEqual(4);
    const step = seconds[1]! - seconds[0]!;
    const mantissa = Number((step / 10 ** Math.floor(Math.log10(step))).toPrecision(6));
    expect([1, 2, 5]).toContain(mantissa);
    seconds.forEach((t) => expect(Math.abs(t / step - Math.round(t / step))).toBeLessThan(1e-6));

    // The trigger marked: the dashed line at 0 and the ring on the trigger sample, in the trigger colour on the canvas.
    const marks = await chart.evaluate((el) => {
      const c = el.querySelector('canvas')!;
      const ctx = c.getContext('2d')!;
      const dpr = c.width / c.getBoundingClientRect().width;
      const orange = (x: number, y: number) => {
        const [r, g, b] = ctx.getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data;
        return r! > 200 && g! > 140 && g! < 220 && b! < 140;
      };
      const lineX = Number(el.dataset.triggerX);
      const mx = Number(el.dataset.markerX);
      const my = Number(el.dataset.markerY);
      let line = 0;
      for (let y = 0; y < c.getBoundingClientRect().height; y++) if (orange(lineX, y)) line++;
      let ring = 0;
      for (let k = 0; k < 16; k++) {
        const angle = (k / 16) * 2 * Math.PI;
        if (orange(mx + 5 * Math.cos(angle), my + 5 * Math.sin(angle))) ring++;
      }
      return { line, ring, lineX, mx };
    });
    expect(marks.line, 'orange pixels along the trigger line').toBeGreaterThan(40);
    expect(marks.ring, 'orange pixels around the trigger sample').toBeGreaterThan(8);
    expect(Math.abs(marks.lineX - marks.mx)).toBeLessThanOrEqual(1);

    // CSV: a time column and one column per signal.
    const csvDownload = page.waitForEvent('download');
    await view.getByRole('button', { name: 'CSV' }).click();
    const csv = (await readFile((await (await csvDownload).path())!, 'utf8')).split('\n');
    expect(csv[0]).toBe('time,Demo waveform generator/sine1,Demo hexapod controller/curr_position,Demo KATCP server/antenna.azimuth');
    const filled = [1, 2, 3].map((col) => csv.slice(1).filter((row) => row.split(',')[col]).length);
    expect(filled).toEqual([200, hexapod!.length, katcp!.length]);

    for (const [width, height] of [[1280, 720], [1920, 1080]] as const) {
      await page.setViewportSize({ width, height });
      await chart.evaluate((el) => el.scrollIntoView({ block: 'end' }));
      await page.waitForTimeout(300);
      // The chart follows the panel's width.
      const box = (await chart.boundingBox())!;
      expect(Math.abs((await canvas.boundingBox())!.width - box.width)).toBeLessThan(box.width * 0.2);
      await page.screenshot({ path: path.join(os.tmpdir(), `benchscope-capture-${width}x${height}.png`) });
      await chart.screenshot({ path: path.join(os.tmpdir(), `benchscope-capture-chart-${width}x${height}.png`) });
    }

    await view.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await readdir(path.join(dir, 'data', 'acquisitions')).catch(() => [])).filter((f) => f.endsWith('.mcap')).length, { timeout: 5000 }).toBe(1);
    // As an MCAP recording, in the recordings list, with every signal.
    await view.getByRole('button', { name: 'MCAP' }).click();
    await expect.poll(() => view.getByRole('status').textContent(), { timeout: 5000 }).toMatch(/Written to .*recordings.*\.mcap/);
    const exported = (await host.hub.call('listRecordings', {})).find((r) => r.sessions.some((x) => x.protocol === 'acquisition'));
    expect(exported!.sessions.map((x) => x.name).sort()).toEqual(['Demo KATCP server', 'Demo hexapod controller', 'Demo waveform generator']);
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
