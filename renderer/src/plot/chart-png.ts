// A chart as a picture to paste in a report: an opaque background, the title
// above, the chart (uPlot draws the axes, their ticks and unit labels on its
// canvas), the state lanes, the time axis named, and the legend below with each
// signal's colour. Read from the chart's DOM, so every chart of the app (live
// plots, captures, Scrutiny acquisitions) exports the same way.
import { chartColours } from './chart-theme';

export interface LegendEntry { label: string; colour: string }

/** The legend uPlot shows under a chart, without its first entry (the time). */
export function legendOf(root: HTMLElement): LegendEntry[] {
  return [...root.querySelectorAll<HTMLElement>('.u-legend .u-series')].slice(1).map((row) => {
    const marker = row.querySelector<HTMLElement>('.u-marker');
    const style = marker ? getComputedStyle(marker) : null;
    const colour = style ? (style.borderTopColor && style.borderTopWidth !== '0px' ? style.borderTopColor : style.backgroundColor) : '#888';
    return { label: row.querySelector('.u-label')?.textContent?.trim() ?? '', colour };
  }).filter((e) => e.label !== '');
}

const PAD = 12;
const TITLE_PX = 16;
const TEXT_PX = 12;
const LINE_PX = 18;

/**
 * The PNG (a data URL) of the chart under `root`, or null when it has no canvas.
 * `xLabel` names the time axis ("time, local clock", "seconds from trigger").
 */
export function chartPng(root: HTMLElement, title: string, xLabel: string): string | null {
  const chart = root.querySelector<HTMLCanvasElement>('.uplot canvas');
  if (!chart || chart.width === 0) return null;
  const lanes = root.querySelector<HTMLCanvasElement>('canvas.state-lanes');
  const legend = legendOf(root);
  const colours = chartColours();
  // The chart canvas is at device pixels: draw everything at the same scale.
  const scale = chart.width / Math.max(1, chart.getBoundingClientRect().width || chart.width);
  const cssWidth = chart.width / scale;
  const probe = document.createElement('canvas').getContext('2d')!;
  probe.font = `${TEXT_PX}px system-ui, sans-serif`;
  // Legend entries flow in rows across the width.
  const rows: LegendEntry[][] = [[]];
  let x = 0;
  for (const e of legend) {
    const w = 18 + probe.measureText(e.label).width + 16;
    if (x + w > cssWidth && rows[rows.length - 1]!.length) { rows.push([]); x = 0; }
    rows[rows.length - 1]!.push(e);
    x += w;
  }
  const lanesHeight = lanes && lanes.width ? lanes.height / scale : 0;
  const height = PAD + TITLE_PX + PAD + chart.height / scale + lanesHeight + LINE_PX + (legend.length ? rows.length * LINE_PX : 0) + PAD;
  const out = document.createElement('canvas');
  out.width = Math.round((cssWidth + 2 * PAD) * scale);
  out.height = Math.round(height * scale);
  const ctx = out.getContext('2d')!;
  ctx.scale(scale, scale);
  ctx.fillStyle = colours.background;
  ctx.fillRect(0, 0, cssWidth + 2 * PAD, height);
  ctx.fillStyle = colours.text;
  ctx.textBaseline = 'top';
  ctx.font = `600 ${TITLE_PX}px system-ui, sans-serif`;
  ctx.fillText(title || 'Untitled plot', PAD, PAD);
  let y = PAD + TITLE_PX + PAD;
  ctx.drawImage(chart, PAD, y, cssWidth, chart.height / scale);
  y += chart.height / scale;
  if (lanes && lanesHeight) {
    ctx.drawImage(lanes, PAD, y, lanes.width / scale, lanesHeight);
    y += lanesHeight;
  }
  ctx.font = `${TEXT_PX}px system-ui, sans-serif`;
  ctx.fillStyle = colours.axis;
  ctx.textAlign = 'center';
  ctx.fillText(xLabel, PAD + cssWidth / 2, y + 3);
  ctx.textAlign = 'left';
  y += LINE_PX;
  for (const row of rows) {
    let lx = PAD;
    for (const e of row) {
      ctx.fillStyle = e.colour;
      ctx.fillRect(lx, y + 6, 14, 3);
      ctx.fillStyle = colours.text;
      ctx.fillText(e.label, lx + 18, y + 1);
      lx += 18 + ctx.measureText(e.label).width + 16;
    }
    y += LINE_PX;
  }
  return out.toDataURL('image/png');
}
