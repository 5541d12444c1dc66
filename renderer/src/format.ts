// Numbers and times as a bench engineer reads them in status, statistics, plots and the console.

const UNITS = ['', 'k', 'M', 'G', 'T'];

/** 12 345 678 -> "12.3 M" (SI steps of 1000, three significant digits). */
export function si(n: number, unit = ''): string {
  if (!Number.isFinite(n)) return '—';
  let i = 0;
  let v = Math.abs(n);
  while (v >= 1000 && i < UNITS.length - 1) { v /= 1000; i++; }
  const digits = v >= 100 || i === 0 ? 0 : v >= 10 ? 1 : 2;
  const shown = i === 0 && !Number.isInteger(n) ? Math.abs(n).toFixed(1) : v.toFixed(digits);
  return `${n < 0 ? '-' : ''}${shown} ${UNITS[i]}${unit}`.trim();
}

export const bytesPerSec = (n: number) => si(n, 'B/s');
export const perSec = (n: number) => si(n, '/s');
export const bytes = (n: number) => si(n, 'B');
export const count = (n: number) => n.toLocaleString('en-US');

/** 93784 -> "1 d 02:03:04". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const p = (x: number) => String(x).padStart(2, '0');
  const hms = `${p(Math.floor((s % 86400) / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`;
  return d ? `${d} d ${hms}` : hms;
}

/** Seconds since the epoch as local hh:mm:ss.mmm. */
export function formatClock(t: number): string {
  const d = new Date(t * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** A sample value in six significant digits, exponent form when very large or small. */
export function formatSample(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}
