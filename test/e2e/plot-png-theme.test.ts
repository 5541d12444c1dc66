// A plot's PNG in Chromium, as a user downloads it: opaque, in the theme's panel
// colour, a title band above the chart and a legend under it in the signals' colours;
// the light theme redraws the chart's axes dark on white, and follows the system by
// default. The downloaded file is decoded by Chromium itself.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { launchChromium, watchErrors } from './browser';

const SHOTS = process.env.BENCHSCOPE_SHOTS ?? '/tmp/benchscope-shots';

interface PngFacts {
  width: number; height: number;
  corners: number[][];
  /** Pixels of the title band (12 to 28 px from the top) unlike the corner colour. */
  titleInk: number;
  /** Pixels within 12 of the colour #4fc3f7 (the first signal's) in the bottom 40 px. */
  legendFirstColour: number;
  /** The darkest and the lightest luminance in the chart's left 60 px (the y axis' tick labels). */
  axisDarkest: number; axisLightest: number;
}

async function downloadPng(page: Page, plot: ReturnType<Page['getByTestId']>, keepAs: string): Promise<{ name: string; facts: PngFacts }> {
  const [download] = await Promise.all([page.waitForEvent('download'), plot.getByRole('button', { name: 'PNG' }).click()]);
  const file = await download.path();
  await download.saveAs(path.join(SHOTS, keepAs));
  const b64 = (await readFile(file)).toString('base64');
  const facts = await page.evaluate(async (data) => {
    const img = new Image();
    img.src = `data:image/png;base64,${data}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const px = (x: number, y: number) => [...ctx.getImageData(x, y, 1, 1).data];
    const scale = img.width / Math.round(img.width / devicePixelRatio);
    const bg = px(0, 0);
    const band = ctx.getImageData(0, Math.round(12 * scale), img.width, Math.round(16 * scale)).data;
    let titleInk = 0;
    for (let i = 0; i < band.length; i += 4) if (Math.abs(band[i]! - bg[0]!) + Math.abs(band[i + 1]! - bg[1]!) + Math.abs(band[i + 2]! - bg[2]!) > 60) titleInk++;
    const legend = ctx.getImageData(0, img.height - Math.round(40 * scale), img.width, Math.round(40 * scale)).data;
    let legendFirstColour = 0;
    for (let i = 0; i < legend.length; i += 4) if (Math.abs(legend[i]! - 0x4f) + Math.abs(legend[i + 1]! - 0xc3) + Math.abs(legend[i + 2]! - 0xf7) < 36) legendFirstColour++;
    const axis = ctx.getImageData(Math.round(12 * scale), Math.round(50 * scale), Math.round(60 * scale), Math.round(100 * scale)).data;
    let axisDarkest = 255;
    let axisLightest = 0;
    for (let i = 0; i < axis.length; i += 4) {
      const l = 0.2126 * axis[i]! + 0.7152 * axis[i + 1]! + 0.0722 * axis[i + 2]!;
      axisDarkest = Math.min(axisDarkest, l);
      axisLightest = Math.max(axisLightest, l);
    }
    return { width: img.width, height: img.height, corners: [bg, px(img.width - 1, 0), px(0, img.height - 1), px(img.width - 1, img.height - 1)], titleInk, legendFirstColour, axisDarkest, axisLightest };
  }, b64);
  return { name: download.suggestedFilename(), facts };
}

describe('plot PNG and themes in Chromium', () => {
  let dir: string;
  let host: RunningHost;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-png-e2e-'));
    await mkdir(SHOTS, { recursive: true });
    host = await startHost({ port: 0, userDataDir: path.join(dir, 'data') });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('exports an opaque PNG with title and legend, dark then light, and the light theme redraws the axes', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, colorScheme: 'dark', acceptDownloads: true });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(host.url);
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme), { timeout: 10_000 }).toBe('dark');
    const plot = page.getByTestId('plot').first();
    await expect.poll(async () => Number(await plot.getByTestId('plot-received').textContent()), { timeout: 10_000 }).toBeGreaterThan(50);
    const title = await plot.getByLabel('Plot title').inputValue();

    const dark = await downloadPng(page, plot, 'plot-export-dark.png');
    expect(dark.name).toBe(`${title}.png`);
    const chartBox = (await plot.locator('.uplot canvas').first().boundingBox())!;
    // Larger than the chart: the title above and the legend below.
    expect(dark.facts.height).toBeGreaterThan(chartBox.height + 40);
    // Opaque, in the dark panel colour (#161a20), at every corner.
    for (const c of dark.facts.corners) expect(c).toEqual([0x16, 0x1a, 0x20, 255]);
    expect(dark.facts.titleInk).toBeGreaterThan(50);
    expect(dark.facts.legendFirstColour).toBeGreaterThan(10);
    // Light tick labels on a dark ground.
    expect(dark.facts.axisLightest).toBeGreaterThan(120);

    await page.getByTestId('layout-menu').click();
    await page.getByLabel('Theme').selectOption('light');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.keyboard.press('Escape');
    // Rebuilt for the theme, the chart still fills its panel: the PNG is as tall as the dark one.
    const light = await downloadPng(page, plot, 'plot-export-light.png');
    for (const c of light.facts.corners) expect(c).toEqual([255, 255, 255, 255]);
    expect(Math.abs(light.facts.height - dark.facts.height)).toBeLessThan(4);
    expect(light.facts.titleInk).toBeGreaterThan(50);
    expect(light.facts.legendFirstColour).toBeGreaterThan(10);
    // The axes were redrawn for the light theme: dark tick labels on white.
    expect(light.facts.axisDarkest).toBeLessThan(110);
    await page.screenshot({ path: path.join(SHOTS, 'light-theme-1280x720.png') });
    expect(errors).toEqual([]);
    await context.close();

    // A browser whose system asks for light, with no choice stored, gets light.
    const lightSystem = await browser.newContext({ viewport: { width: 1920, height: 1080 }, colorScheme: 'light' });
    const p2 = await lightSystem.newPage();
    await p2.goto(host.url);
    await expect.poll(() => p2.evaluate(() => document.documentElement.dataset.theme), { timeout: 10_000 }).toBe('light');
    await p2.screenshot({ path: path.join(SHOTS, 'light-theme-1920x1080.png') });
    await lightSystem.close();
  });
});
