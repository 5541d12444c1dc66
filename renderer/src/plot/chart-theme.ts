// The charts' colours follow the page's theme. uPlot draws axes and grid on a
// canvas, so it cannot use CSS variables itself: the chart code reads them here
// and rebuilds when the theme changes.

export interface ChartColours {
  axis: string;
  grid: string;
  tick: string;
  /** The panel background: what a PNG of a chart is filled with. */
  background: string;
  text: string;
}

const FALLBACK: ChartColours = { axis: '#9aa4b2', grid: 'rgba(255,255,255,0.07)', tick: 'rgba(255,255,255,0.15)', background: '#161a20', text: '#d8dee7' };

export function chartColours(): ChartColours {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    axis: v('--chart-axis', FALLBACK.axis),
    grid: v('--chart-grid', FALLBACK.grid),
    tick: v('--chart-tick', FALLBACK.tick),
    background: v('--bg-panel', FALLBACK.background),
    text: v('--text', FALLBACK.text),
  };
}

const THEME_EVENT = 'benchscope-theme';

/** Says the theme changed (after `data-theme` is written on the document element). */
export function announceThemeChange(): void {
  window.dispatchEvent(new Event(THEME_EVENT));
}

/** Calls `listener` after each theme change; returns the unsubscribe. */
export function onThemeChange(listener: () => void): () => void {
  window.addEventListener(THEME_EVENT, listener);
  return () => window.removeEventListener(THEME_EVENT, listener);
}
