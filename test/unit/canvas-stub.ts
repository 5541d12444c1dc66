// happy-dom has no 2D canvas: uPlot (a panel's chart) gets a context that draws
// nothing, so a panel's table and forms can be tested here and its chart in Chromium.
export function stubCanvas(): void {
  const ctx: Record<string | symbol, unknown> = {};
  const context = new Proxy(ctx, {
    get: (t, k) => (k in t ? t[k] : () => ({ width: 0 })),
    set: (t, k, v) => { t[k] = v; return true; },
  });
  HTMLCanvasElement.prototype.getContext = (() => context) as unknown as HTMLCanvasElement['getContext'];
}
