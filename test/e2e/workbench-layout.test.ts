// The docking workbench in Chromium, on the demo bench: the default layout shows
// the sessions, the selected device's workbench, a live plot and its console with
// no page scroll; selecting a session brings its panels (never another's) to the
// front; panels move by dragging, close and come back; the layout survives a
// reload; named layouts are saved, switched, exported and imported (a broken file
// refused with its reason); a panel naming an absent session waits for it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { parseLayoutFile, type DockLayout } from '../../shared/api/layout';
import { launchChromium, watchErrors } from './browser';

const DEMO = ['Demo waveform generator', 'Demo hexapod controller', 'Demo Scrutiny device', 'Demo Scrutiny board on CAN', 'Demo KATCP server', 'Demo DCS hardware server'];

/** The tabs of each group of a saved dock, as panel ids. */
function groupsOf(dock: DockLayout): string[][] {
  const out: string[][] = [];
  const walk = (node: { type: string; data: unknown }) => {
    if (node.type === 'leaf') out.push((node.data as { views: string[] }).views);
    else for (const child of node.data as { type: string; data: unknown }[]) walk(child);
  };
  walk(dock.grid.root);
  for (const f of dock.floatingGroups ?? []) if (f.data) out.push(f.data.views);
  return out;
}

/** What is on screen: each visible panel's kind and (for a session's panels) its session. */
async function visiblePanels(page: Page): Promise<{ kind: string; session: string | null }[]> {
  return page.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-panel-kind]')]
    .filter((e) => e.offsetWidth > 0 && e.offsetHeight > 0)
    .map((e) => ({
      kind: e.dataset.panelKind!,
      session: e.querySelector<HTMLElement>('[data-session-name]')?.dataset.sessionName
        ?? e.closest('.dv-groupview')?.querySelector('.dv-active-tab')?.textContent?.replace(/^(Console|CAN) · /, '') ?? null,
    })));
}

async function pageOverflow(page: Page) {
  return page.evaluate(() => ({
    scrollHeight: document.documentElement.scrollHeight, innerHeight: window.innerHeight,
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
  }));
}

describe('the docking workbench', () => {
  let dir: string;
  let host: RunningHost;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-layout-'));
    host = await startHost({ port: 0, userDataDir: path.join(dir, 'data') });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows each demo device\'s workbench beside a live plot and its console, without page scroll, at 1280x720 and 1920x1080', async () => {
    for (const [width, height] of [[1280, 720], [1920, 1080]] as const) {
      const page = await browser.newPage({ viewport: { width, height } });
      const errors = watchErrors(page);
      await page.goto(host.url);
      const rows = page.getByTestId('session-row');
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(6);
      await expect.poll(() => page.getByTestId('dock').getAttribute('data-built')).toBe('true');
      for (const name of [...DEMO, DEMO[1]!, DEMO[0]!]) {
        await rows.filter({ hasText: name }).click();
        await expect.poll(async () => (await visiblePanels(page)).filter((p) => p.kind === 'workbench').map((p) => p.session), { timeout: 5000 }).toEqual([name]);
        const shown = await visiblePanels(page);
        expect(shown.filter((p) => p.kind === 'console').map((p) => p.session), `${name} at ${width}`).toEqual([name]);
        expect(shown.some((p) => p.kind === 'sessions')).toBe(true);
        // Its plot is in front, and it is live.
        const plot = page.locator('[data-panel-kind="plot"]').filter({ has: page.locator(`input[value="${name}"]`) });
        await expect.poll(() => plot.isVisible(), { timeout: 5000 }).toBe(true);
        const size = await pageOverflow(page);
        expect(size.scrollHeight, `${name} at ${width}x${height}`).toBeLessThanOrEqual(size.innerHeight);
        expect(size.scrollWidth, `${name} at ${width}x${height}`).toBeLessThanOrEqual(size.innerWidth);
      }
      const received = async () => Number(await page.locator('[data-panel-kind="plot"]:visible').getByTestId('plot-received').first().textContent());
      const r0 = await received();
      await expect.poll(received, { timeout: 5000 }).toBeGreaterThan(r0);
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 120_000);

  it('moves a panel by dragging its tab, closes it and opens it again, and keeps the layout across a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    await expect.poll(() => page.getByTestId('dock').getAttribute('data-built'), { timeout: 15_000 }).toBe('true');
    await page.getByTestId('session-row').filter({ hasText: 'Demo KATCP server' }).click();
    const consoleTab = page.locator('.dv-tab', { hasText: 'Console · Demo KATCP server' });
    const plotContent = page.locator('[data-panel-kind="plot"]:visible');
    // Dropped on the middle of the plot's group: a tab there.
    await consoleTab.dragTo(plotContent, { targetPosition: { x: (await plotContent.boundingBox())!.width / 2, y: (await plotContent.boundingBox())!.height / 2 } });
    const saved = async () => (await host.hub.call('getLayouts', {})).current;
    const groupOf = async (id: string) => groupsOf((await saved())!).find((g) => g.includes(id)) ?? [];
    await expect.poll(async () => (await groupOf('console:Demo KATCP server')).some((v) => v.startsWith('plot:')), { timeout: 5000 }).toBe(true);

    // Closed from its tab, it is gone; the layout menu opens it again.
    await page.locator('.dv-tab', { hasText: 'Console · Demo KATCP server' }).locator('.dv-default-tab-action').click();
    await expect.poll(async () => Object.keys((await saved())!.panels).includes('console:Demo KATCP server'), { timeout: 5000 }).toBe(false);
    await page.getByTestId('layout-menu').click();
    await page.getByRole('button', { name: 'Open Console · Demo KATCP server' }).click();
    await expect.poll(async () => Object.keys((await saved())!.panels).includes('console:Demo KATCP server'), { timeout: 5000 }).toBe(true);
    await page.keyboard.press('Escape');

    // Dragged to the right edge of the plot: a group of its own, split off.
    const tab = page.locator('.dv-tab', { hasText: 'Console · Demo KATCP server' });
    const box = (await plotContent.boundingBox())!;
    await tab.dragTo(plotContent, { targetPosition: { x: box.width - 8, y: box.height / 2 } });
    await expect.poll(async () => (await groupOf('console:Demo KATCP server')).length, { timeout: 5000 }).toBe(1);
    const before = groupsOf((await saved())!);

    await page.reload();
    await expect.poll(() => page.getByTestId('dock').getAttribute('data-built'), { timeout: 15_000 }).toBe('true');
    await expect.poll(() => page.locator('.dv-tab', { hasText: 'Console · Demo KATCP server' }).count()).toBe(1);
    await page.waitForTimeout(600);
    expect(groupsOf((await saved())!)).toEqual(before);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('maximises and restores the active panel from the keyboard, and moves focus between groups', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(host.url);
    await expect.poll(() => page.getByTestId('dock').getAttribute('data-built'), { timeout: 15_000 }).toBe('true');
    await page.getByTestId('session-row').filter({ hasText: 'Demo hexapod controller' }).click();
    const visibleKinds = async () => (await visiblePanels(page)).map((p) => p.kind).sort();
    expect((await visibleKinds()).length).toBeGreaterThan(3);
    await page.locator('.dv-tab', { hasText: /^Demo hexapod controller$/ }).first().click();
    await page.keyboard.press('Alt+Shift+M');
    await expect.poll(visibleKinds).toEqual(['workbench']);
    await page.keyboard.press('Alt+Shift+M');
    await expect.poll(async () => (await visibleKinds()).length).toBeGreaterThan(3);
    // F6 walks the groups: the active tab of the next group takes the focus. A group is told
    // by its tabs (the active one may change: focusing another session's tab selects that session).
    const focusedTab = () => page.evaluate(() => {
      const tab = document.activeElement?.closest('.dv-tab');
      return tab ? [...tab.parentElement!.querySelectorAll('.dv-tab')].map((t) => t.textContent).join('|') : null;
    });
    await page.keyboard.press('F6');
    const first = await focusedTab();
    await page.keyboard.press('F6');
    const second = await focusedTab();
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);
    await page.keyboard.press('Shift+F6');
    expect(await focusedTab()).toBe(first);
    await page.close();
  }, 60_000);

  it('saves, switches to, exports, imports and deletes named layouts; a broken file is refused with its reason; an absent session waits', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    const errors = watchErrors(page);
    await page.goto(host.url);
    await expect.poll(() => page.getByTestId('dock').getAttribute('data-built'), { timeout: 15_000 }).toBe('true');
    await page.getByTestId('layout-menu').click();
    const menu = page.getByRole('dialog', { name: 'Layouts' });
    await menu.getByLabel('Layout name').fill('Bench A');
    await menu.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => menu.getByTestId('saved-layout').count()).toBe(1);
    await expect.poll(async () => (await host.hub.call('getLayouts', {})).saved.map((l) => l.name)).toEqual(['Bench A']);
    const savedA = (await host.hub.call('getLayouts', {})).saved[0]!;

    // Exported: a versioned file that reads back as the same layout.
    const [download] = await Promise.all([page.waitForEvent('download'), menu.getByRole('button', { name: 'Export Bench A' }).click()]);
    const file = path.join(dir, 'bench-a.json');
    await download.saveAs(file);
    const text = await readFile(file, 'utf8');
    const parsed = parseLayoutFile(text);
    expect(parsed.ok && parsed.layout.name).toBe('Bench A');
    expect(JSON.parse(text)).toMatchObject({ format: 'benchscope-layout', version: 1 });
    expect(parsed.ok && Object.keys(parsed.layout.dock.panels).sort()).toEqual(Object.keys(savedA.dock.panels).sort());

    // A layout with only the sessions list and a workbench of a session the bench does not have.
    const other = JSON.parse(text) as { name: string; dock: DockLayout; plots: unknown[] };
    other.name = 'Elsewhere';
    other.plots = [];
    other.dock = {
      grid: { root: { type: 'branch', data: [
        { type: 'leaf', size: 300, data: { id: 'g1', views: ['sessions'], activeView: 'sessions' } },
        { type: 'leaf', size: 900, data: { id: 'g2', views: ['workbench:Bench in room 2'], activeView: 'workbench:Bench in room 2' } },
      ] }, width: 1200, height: 800, orientation: 'HORIZONTAL' },
      panels: {
        sessions: { id: 'sessions', contentComponent: 'sessions', title: 'Sessions', params: {} },
        'workbench:Bench in room 2': { id: 'workbench:Bench in room 2', contentComponent: 'workbench', title: 'Bench in room 2', params: { session: 'Bench in room 2' } },
      },
    };
    const otherFile = path.join(dir, 'elsewhere.json');
    await writeFile(otherFile, JSON.stringify(other));
    const brokenFile = path.join(dir, 'broken.json');
    const broken = JSON.parse(JSON.stringify(other)) as typeof other;
    (broken.dock.panels['workbench:Bench in room 2']!.params as Record<string, unknown>) = {};
    await writeFile(brokenFile, JSON.stringify(broken));
    const notJson = path.join(dir, 'not-json.json');
    await writeFile(notJson, '{"format": "benchscope-layout", ');

    await page.getByTestId('layout-import').setInputFiles(brokenFile);
    await expect.poll(() => menu.getByTestId('layout-message').textContent()).toMatch(/Cannot import broken\.json: dock\.panels\.workbench:Bench in room 2\.params\.session: .*workbench panel/);
    await page.getByTestId('layout-import').setInputFiles(notJson);
    await expect.poll(() => menu.getByTestId('layout-message').textContent()).toMatch(/Cannot import not-json\.json: not JSON/);
    expect((await host.hub.call('getLayouts', {})).saved.map((l) => l.name)).toEqual(['Bench A']);

    await page.getByTestId('layout-import').setInputFiles(otherFile);
    await expect.poll(() => menu.getByTestId('layout-message').textContent()).toBe('Imported "Elsewhere" and switched to it');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('panel-waiting').textContent()).toContain('Bench in room 2');
    expect((await visiblePanels(page)).map((p) => p.kind).sort()).toEqual(['sessions', 'workbench']);

    // Back to the saved one: its panels and plots return.
    await page.getByTestId('layout-menu').click();
    await menu.getByRole('button', { name: 'Switch to Bench A' }).click();
    await expect.poll(async () => (await visiblePanels(page)).some((p) => p.kind === 'plot'), { timeout: 5000 }).toBe(true);
    await expect.poll(async () => (await host.hub.call('getPlots', {})).map((p) => p.id).sort()).toEqual(savedA.plots.map((p) => p.id).sort());
    await menu.getByRole('button', { name: 'Delete Elsewhere' }).click();
    await expect.poll(async () => (await host.hub.call('getLayouts', {})).saved.map((l) => l.name)).toEqual(['Bench A']);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('gives a new session its workbench, console and a plot of its signals, follows its rename, and closes them when it is removed', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(host.url);
    await expect.poll(() => page.getByTestId('dock').getAttribute('data-built'), { timeout: 15_000 }).toBe('true');
    const waveform = (await host.hub.call('getServerStatus', {})).sessions.find((s) => s.name === 'Demo waveform generator')!;
    const { sessionId } = await host.hub.call('createSession', {
      protocol: 'lines', name: 'Second waveform', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: Number(waveform.deviceLink.endpoint.split(':').pop()) }, options: { format: 'csv' },
    });
    const saved = async () => Object.keys((await host.hub.call('getLayouts', {})).current!.panels);
    await expect.poll(saved, { timeout: 5000 }).toEqual(expect.arrayContaining(['workbench:Second waveform', 'console:Second waveform']));
    await expect.poll(async () => (await host.hub.call('getPlots', {})).find((p) => p.title === 'Second waveform')?.signals.length ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    const plot = (await host.hub.call('getPlots', {})).find((p) => p.title === 'Second waveform')!;
    expect(plot.signals.every((s) => s.session === 'Second waveform')).toBe(true);
    await page.getByTestId('session-row').filter({ hasText: 'Second waveform' }).click();
    await expect.poll(async () => (await visiblePanels(page)).filter((p) => p.kind === 'workbench').map((p) => p.session)).toEqual(['Second waveform']);

    // Renamed, it keeps its panels (same places, new name) and its plot, whose signals follow the name.
    const groupOf = async (id: string) => groupsOf((await host.hub.call('getLayouts', {})).current!).findIndex((g) => g.includes(id));
    const workbenchGroup = await groupOf('workbench:Second waveform');
    await host.hub.call('renameSession', { sessionId, name: 'Bench PSU' });
    await expect.poll(async () => (await saved()).filter((id) => id.endsWith(':Second waveform') || id.endsWith(':Bench PSU')).sort(), { timeout: 5000 })
      .toEqual(['console:Bench PSU', 'workbench:Bench PSU']);
    expect(await groupOf('workbench:Bench PSU')).toBe(workbenchGroup);
    await expect.poll(async () => (await host.hub.call('getPlots', {})).find((p) => p.id === plot.id)?.signals.map((s) => s.session), { timeout: 5000 })
      .toEqual(plot.signals.map(() => 'Bench PSU'));
    expect((await host.hub.call('getPlots', {})).find((p) => p.id === plot.id)!.title).toBe('Bench PSU');
    await expect.poll(async () => (await visiblePanels(page)).filter((p) => p.kind === 'workbench').map((p) => p.session)).toEqual(['Bench PSU']);
    expect(await page.getByTestId('panel-waiting').count()).toBe(0);

    await host.hub.call('removeSession', { sessionId });
    await expect.poll(async () => (await saved()).filter((id) => id.endsWith(':Bench PSU')), { timeout: 5000 }).toEqual([]);
    await expect.poll(async () => (await host.hub.call('getPlots', {})).some((p) => p.id === plot.id), { timeout: 5000 }).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
