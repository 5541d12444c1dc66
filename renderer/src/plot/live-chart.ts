// One live chart: a uPlot instance redrawn on animation frames from the
// telemetry cache. A frame that finds no new samples (and no change of view)
// draws nothing. The view follows the newest sample until the user pauses,
// zooms (drag on x) or pans (shift+drag, shift+wheel; ctrl+wheel zooms);
// double-click goes back to the window (live unless paused).
import uPlot from 'uplot';
import type { Mark } from '../../../shared/api/contract';
import { formatClock, formatSample } from '../format';
import { chartColours, onThemeChange } from './chart-theme';
import { alignUnion, countPoints, nearestValue, windowForDisplay, type Series } from './frame-data';
import { MARK_COLOURS, marksIn, marksVersion, type MarkFilter } from './marks-cache';
import { LANE_HEIGHT, stateColour, stateName, stateRuns } from './state-lanes';
import { ringOf } from './telemetry-cache';

export interface ChartSeries {
  id: number;
  label: string;
  /** A discrete signal's state names: drawn as a state timeline lane, not a line. */
  states?: string[];
  /** Lines of one unit share a y axis; each other unit gets its own, so a status word of 1024 leaves positions of a few mm readable. */
  unit?: string | null;
}

export interface ChartFrameStats {
  /** Points handed to uPlot by the last redraw. */
  pointsLastFrame: number;
  /** Points handed to uPlot since the chart was made. */
  pointsDrawnTotal: number;
  /** Samples received for the chart's signals since they were subscribed. */
  received: number;
  /** Marks drawn by the last redraw. */
  marks: number;
  /**
   * Sample-to-screen lag of the last redraw that followed live data: how long ago
   * (ms, by the wall clock the engine stamps samples with) the newest sample drawn
   * was received; NaN when the view is paused or zoomed.
   */
  lagMs: number;
}

export interface LiveChartHooks {
  onFrame(stats: ChartFrameStats): void;
  /** Called when the view starts or stops following the newest samples. */
  onFollowChange(following: boolean): void;
}

export const SERIES_COLOURS = ['#4fc3f7', '#ffb74d', '#81c784', '#e57373', '#ba68c8', '#fff176', '#4db6ac', '#f06292', '#a1887f', '#90a4ae'];

/** The chart's height when its box has none of its own yet (not laid out), and the least it is given. */
const CHART_HEIGHT = 240;
const MIN_CHART_HEIGHT = 120;
/** Axis, grid and tick colours of the theme in effect. */
export function axisStyle(): Pick<uPlot.Axis, 'stroke' | 'grid' | 'ticks'> {
  const c = chartColours();
  return { stroke: c.axis, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.tick, width: 1 } };
}
const EMPTY: Series = { times: new Float64Array(0), values: new Float64Array(0) };

/** Tick labels on one line, as precise as the tick spacing needs. */
function clockTicks(_u: uPlot, splits: number[], _axis: number, _space: number, incr: number): string[] {
  return splits.map((t) => {
    const full = formatClock(t);
    if (incr < 1) return full.slice(3);
    return incr < 60 ? full.slice(0, 8) : full.slice(0, 5);
  });
}

/** The y scale of a unit: 'y' for signals without one (what a plot of unit-less signals always had). */
function scaleOf(unit: string): string {
  return unit ? `unit:${unit}` : 'y';
}

export class LiveChart {
  private u: uPlot | null = null;
  private readonly unsubscribeTheme: () => void;
  private laneText = '#9aa4b2';
  private series: ChartSeries[] = [];
  /** The series drawn as lines (uPlot's) and those drawn as state lanes. */
  private lineSeries: ChartSeries[] = [];
  private stateSeries: ChartSeries[] = [];
  private readonly lanes: HTMLCanvasElement;
  private markFilter: MarkFilter = { signalsBySession: new Map() };
  private marksSeen = -1;
  private shownMarks: Mark[] = [];
  private windowS = 10;
  private clock: (() => number) | null = null;
  private paused = false;
  private pausedAt = NaN;
  private zoom: [number, number] | null = null;
  /** The x range of the last redraw, for pan and wheel zoom. */
  private view: [number, number] | null = null;
  private dirty = true;
  private lastReceived = -1;
  private pointsDrawnTotal = 0;
  private pointsLastFrame = 0;
  private lagMs = NaN;
  /** performance.now() of the last redraw: a live view also moves with the clock when samples are sparse. */
  private lastDrawAt = 0;
  private raf = 0;
  private readonly resize: ResizeObserver;
  private following = true;

  constructor(private readonly host: HTMLElement, private readonly hooks: LiveChartHooks) {
    this.resize = new ResizeObserver(() => {
      if (!this.u) return;
      this.fit();
      this.dirty = true;
    });
    this.resize.observe(host);
    // The axes and grid are drawn in the theme's colours: a new theme, a new chart.
    this.unsubscribeTheme = onThemeChange(() => { if (this.u) this.build(); });
    this.lanes = document.createElement('canvas');
    this.lanes.className = 'state-lanes';
    this.lanes.setAttribute('role', 'img');
    this.lanes.setAttribute('aria-label', 'State timelines');
    this.raf = requestAnimationFrame(this.frame);
  }

  setSeries(series: ChartSeries[]): void {
    const same = series.length === this.series.length
      && series.every((s, i) => s.id === this.series[i].id && s.label === this.series[i].label && (s.states ?? []).join('\u0000') === (this.series[i].states ?? []).join('\u0000')
      && (s.unit ?? '') === (this.series[i].unit ?? ''));
    if (same && this.u) return;
    this.series = series;
    this.lineSeries = series.filter((s) => !s.states);
    this.stateSeries = series.filter((s) => s.states);
    this.build();
  }

  /** The time range on screen (seconds since the epoch), null before the first draw. */
  visibleRange(): [number, number] | null {
    return this.view ? [this.view[0], this.view[1]] : null;
  }

  /** Which sessions' (and signals') marks this chart draws. */
  setMarkFilter(filter: MarkFilter): void {
    this.markFilter = filter;
    this.dirty = true;
  }

  /**
   * A clock the view follows instead of the wall clock (a replay's playhead, seconds
   * since the epoch; NaN when unknown); null: live data. A followed clock has no lag.
   */
  setClock(clock: (() => number) | null): void {
    this.clock = clock;
    this.lagMs = NaN;
    this.dirty = true;
  }

  setWindow(seconds: number): void {
    this.windowS = seconds;
    this.dirty = true;
  }

  /** Pausing freezes the view where it is; resuming also drops any zoom and follows again. */
  setPaused(paused: boolean): void {
    if (!paused) this.zoom = null;
    if (paused !== this.paused) {
      this.paused = paused;
      this.pausedAt = this.latestTime();
    }
    this.dirty = true;
    this.updateFollowing();
  }

  destroy(): void {
    cancelAnimationFrame(this.raf);
    this.resize.disconnect();
    this.unsubscribeTheme();
    this.u?.destroy();
    this.u = null;
    this.lanes.remove();
  }

  private width(): number {
    return Math.max(200, Math.floor(this.host.clientWidth));
  }

  /**
   * The chart fills its box: the box's height (set by the panel, not by the chart)
   * less the legend and the state lanes under it.
   */
  private height(): number {
    const box = this.host.clientHeight;
    if (box < MIN_CHART_HEIGHT) return CHART_HEIGHT;
    const legend = this.u?.root.querySelector<HTMLElement>('.u-legend')?.offsetHeight ?? 0;
    const lanes = this.lanes.isConnected ? this.lanes.offsetHeight + 6 : 0;
    return Math.max(MIN_CHART_HEIGHT, Math.floor(box - legend - lanes - 4));
  }

  private fit(): void {
    if (!this.u) return;
    const width = this.width();
    const height = this.height();
    if (width !== this.u.width || height !== this.u.height) this.u.setSize({ width, height });
  }

  private build(): void {
    this.u?.destroy();
    const AXIS = axisStyle();
    this.laneText = chartColours().axis;
    const units = [...new Set(this.lineSeries.map((s) => s.unit ?? ''))];
    if (!units.length) units.push('');
    const opts: uPlot.Options = {
      width: this.width(),
      height: CHART_HEIGHT,
      scales: { x: { time: true, auto: false }, ...Object.fromEntries(units.map((u) => [scaleOf(u), { auto: true }])) },
      series: [
        { label: 'Time', value: (_u, v) => (v == null ? '—' : formatClock(v)) },
        ...this.lineSeries.map((s): uPlot.Series => ({
          label: s.label,
          stroke: SERIES_COLOURS[this.series.indexOf(s) % SERIES_COLOURS.length],
          scale: scaleOf(s.unit ?? ''),
          width: 1,
          spanGaps: true,
          points: { show: false },
          value: (u, v, si, idx) => {
            const shown = v ?? (idx == null ? null : nearestValue(u.data[si] as (number | null)[], idx));
            return shown == null ? '—' : formatSample(shown);
          },
        })),
      ],
      // The first unit's axis on the left with the grid, the others alternate right and left.
      axes: [{ ...AXIS, space: 60, values: clockTicks }, ...units.map((u, i): uPlot.Axis => ({
        ...AXIS,
        size: 64,
        scale: scaleOf(u),
        side: i % 2 ? 1 : 3,
        // Each axis says its unit (in a PNG too); a plot of unit-less signals only has no label.
        ...(units.length > 1 || u ? { label: u || '(no unit)', labelSize: 16, labelGap: 0 } : {}),
        ...(i > 0 ? { grid: { show: false } } : {}),
      }))],
      legend: { live: true },
      cursor: {
        drag: { x: true, y: false, setScale: false },
        bind: {
          mousedown: (_u, _targ, handler) => (e) => {
            if (e.shiftKey && e.button === 0) {
              this.startPan(e);
              return null;
            }
            return handler(e);
          },
          dblclick: () => () => {
            this.zoom = null;
            this.dirty = true;
            this.updateFollowing();
            return null;
          },
        },
      },
      hooks: {
        setSelect: [(u) => {
          if (u.select.width > 2) {
            const min = u.posToVal(u.select.left, 'x');
            const max = u.posToVal(u.select.left + u.select.width, 'x');
            this.setZoom([min, max]);
          }
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        }],
        draw: [(u) => this.drawMarks(u)],
      },
    };
    this.u = new uPlot(opts, [new Float64Array(0), ...this.lineSeries.map(() => [])], this.host);
    // The lanes go under the chart (outside uPlot's root, whose CSS stretches every canvas in it).
    if (this.stateSeries.length) this.u.root.after(this.lanes);
    else this.lanes.remove();
    // Now that the legend is there, the chart takes what it leaves of the box; again
    // once the page has laid the new chart out (a rebuild can land mid-layout).
    this.fit();
    requestAnimationFrame(() => this.fit());
    this.u.over.addEventListener('wheel', this.onWheel, { passive: false });
    this.dirty = true;
  }

  private latestTime(): number {
    let latest = -Infinity;
    for (const s of this.series) {
      const r = ringOf(s.id);
      if (r && r.length && r.lastTime > latest) latest = r.lastTime;
    }
    return latest;
  }

  private setZoom(range: [number, number]): void {
    if (!(range[1] > range[0])) return;
    this.zoom = range;
    this.dirty = true;
    this.updateFollowing();
  }

  private updateFollowing(): void {
    const following = !this.paused && !this.zoom;
    if (following !== this.following) {
      this.following = following;
      this.hooks.onFollowChange(following);
    }
  }

  private readonly onWheel = (e: WheelEvent): void => {
    if (!this.view || !this.u || !(e.shiftKey || e.ctrlKey)) return;
    e.preventDefault();
    const [a, b] = this.view;
    const delta = e.deltaY || e.deltaX;
    if (delta === 0) return;
    if (e.ctrlKey) {
      const centre = this.u.posToVal(e.offsetX, 'x');
      const f = delta > 0 ? 1.25 : 0.8;
      this.setZoom([centre - (centre - a) * f, centre + (b - centre) * f]);
    } else {
      const shift = (b - a) * 0.1 * Math.sign(delta);
      this.setZoom([a + shift, b + shift]);
    }
  };

  private startPan(down: MouseEvent): void {
    if (!this.view || !this.u) return;
    const [a, b] = this.view;
    const secondsPerPx = (b - a) / Math.max(1, this.u.over.clientWidth);
    const move = (e: MouseEvent) => {
      const shift = -(e.clientX - down.clientX) * secondsPerPx;
      this.setZoom([a + shift, b + shift]);
    };
    const up = () => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
  }

  private readonly frame = (): void => {
    this.raf = requestAnimationFrame(this.frame);
    const u = this.u;
    if (!u) return;
    let received = 0;
    for (const s of this.series) received += ringOf(s.id)?.total ?? 0;
    const fresh = received !== this.lastReceived;
    this.lastReceived = received;
    if (marksVersion() !== this.marksSeen) {
      this.marksSeen = marksVersion();
      this.dirty = true;
    }
    // Samples newer than a frozen view change nothing on screen. A live view with
    // sparse samples (event-driven sensors, states) still moves with the clock, ten times a second.
    const tick = this.following && performance.now() - this.lastDrawAt > 100;
    if (!this.dirty && !(fresh && this.following) && !tick) {
      if (fresh) this.report(received);
      return;
    }
    const newest = this.latestTime();
    // The clock leads the view when the samples are on the wall clock (receive times, device
    // times close to it); a device's own time base far from it is followed as it is.
    const now = Date.now() / 1000;
    const playhead = this.clock ? this.clock() : Number.NaN;
    const latest = Number.isFinite(playhead) ? playhead
      : this.clock ? newest
      : newest !== -Infinity && Math.abs(now - newest) < 3600 ? Math.max(newest, now) : newest;
    if (latest === -Infinity) {
      if (fresh) this.report(received);
      return;
    }
    this.dirty = false;
    this.lastDrawAt = performance.now();
    if (this.paused && !Number.isFinite(this.pausedAt)) this.pausedAt = latest;
    const range: [number, number] = this.zoom
      ?? (this.paused ? [this.pausedAt - this.windowS, this.pausedAt] : [latest - this.windowS, latest]);
    this.view = range;
    const [tMin, tMax] = range;
    const columns = Math.max(1, Math.round(u.bbox.width / uPlot.pxRatio));
    const perSeries = this.lineSeries.map((s) => {
      const ring = ringOf(s.id);
      return ring ? windowForDisplay(ring.window(tMin, tMax), tMin, tMax, columns) : EMPTY;
    });
    const data = alignUnion(perSeries);
    this.pointsLastFrame = countPoints(data);
    this.pointsDrawnTotal += this.pointsLastFrame;
    this.shownMarks = marksIn(this.markFilter, tMin, tMax);
    u.batch(() => {
      u.setData(data as uPlot.AlignedData, false);
      u.setScale('x', { min: tMin, max: tMax });
    });
    this.drawLanes(u, tMin, tMax, this.paused ? Math.min(this.pausedAt, latest) : latest);
    this.lagMs = this.following && fresh && !this.clock ? Date.now() - newest * 1000 : this.lagMs;
    this.report(received);
  };

  /** Vertical lines for the marks in view, labelled where there is room, coloured by severity. */
  private drawMarks(u: uPlot): void {
    const marks = this.shownMarks;
    if (!marks.length) return;
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    const px = uPlot.pxRatio;
    ctx.save();
    ctx.lineWidth = Math.max(1, px);
    ctx.setLineDash([4 * px, 3 * px]);
    ctx.font = `${Math.round(10 * px)}px sans-serif`;
    ctx.textBaseline = 'top';
    let lastLabelEnd = -Infinity;
    let row = 0;
    for (const m of marks) {
      const x = Math.round(u.valToPos(m.t, 'x', true)) + 0.5;
      const colour = MARK_COLOURS[m.severity];
      ctx.strokeStyle = colour;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      // Labels that would overlap go one row down, then are left out (the line stays).
      const w = ctx.measureText(m.label).width + 6 * px;
      if (x + 3 * px > lastLabelEnd) row = 0;
      else if (row < 2) row++;
      else continue;
      const y = top + 2 * px + row * 13 * px;
      // Right of the line, or left of it where the plot ends.
      const left = x + 2 * px + w > u.bbox.left + u.bbox.width ? x - 2 * px - w : x + 2 * px;
      ctx.fillStyle = 'rgba(20,24,30,0.8)';
      ctx.fillRect(left, y - px, w, 12 * px);
      ctx.fillStyle = colour;
      ctx.fillText(m.label, left + 3 * px, y);
      lastLabelEnd = Math.max(lastLabelEnd, left + w);
    }
    ctx.restore();
  }

  /** One lane per discrete signal: a band per run of one state, named where it fits. */
  private drawLanes(u: uPlot, tMin: number, tMax: number, tEnd: number): void {
    const n = this.stateSeries.length;
    if (!n) return;
    const px = uPlot.pxRatio;
    const cssWidth = this.width();
    const cssHeight = n * LANE_HEIGHT;
    const canvas = this.lanes;
    if (canvas.width !== Math.round(cssWidth * px) || canvas.height !== Math.round(cssHeight * px)) {
      canvas.width = Math.round(cssWidth * px);
      canvas.height = Math.round(cssHeight * px);
      canvas.style.width = `${cssWidth}px`;
      canvas.style.height = `${cssHeight}px`;
      this.fit();
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const left = u.bbox.left;
    const plotW = u.bbox.width;
    const span = tMax - tMin;
    const xOf = (t: number) => left + ((t - tMin) / span) * plotW;
    ctx.font = `${Math.round(10 * px)}px sans-serif`;
    ctx.textBaseline = 'middle';
    this.stateSeries.forEach((s, i) => {
      const y = i * LANE_HEIGHT * px;
      const h = (LANE_HEIGHT - 3) * px;
      const states = s.states ?? [];
      ctx.fillStyle = this.laneText;
      ctx.textAlign = 'right';
      ctx.fillText(s.label.length > 14 ? `${s.label.slice(0, 13)}…` : s.label, left - 4 * px, y + h / 2, left - 6 * px);
      ctx.textAlign = 'left';
      const ring = ringOf(s.id);
      if (!ring || !ring.length) return;
      const runs = stateRuns(ring.window(tMin, tMax), tMin, tMax, tEnd, span / Math.max(1, plotW));
      for (let r = 0; r < runs.states.length; r++) {
        const x0 = xOf(runs.starts[r]!);
        const x1 = xOf(runs.ends[r]!);
        ctx.fillStyle = stateColour(states, runs.states[r]!);
        ctx.fillRect(x0, y, Math.max(px, x1 - x0 - px), h);
        const name = stateName(states, runs.states[r]!);
        const w = ctx.measureText(name).width;
        if (x1 - x0 > w + 8 * px) {
          ctx.fillStyle = '#eceff1';
          ctx.fillText(name, x0 + 4 * px, y + h / 2);
        }
      }
    });
  }

  private report(received: number): void {
    this.hooks.onFrame({ pointsLastFrame: this.pointsLastFrame, pointsDrawnTotal: this.pointsDrawnTotal, received, marks: this.shownMarks.length, lagMs: this.lagMs });
  }
}
