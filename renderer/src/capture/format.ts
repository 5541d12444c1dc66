// Text for the capture views: sizes, durations, rates.
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatDuration(s: number | null): string {
  if (s === null) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function formatRate(perSec: number, unit: string): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(1)} M${unit}/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)} k${unit}/s`;
  return `${Math.round(perSec)} ${unit}/s`;
}

/** Offers text or a data URL to the user as a file download. */
export function download(name: string, content: string, type = 'text/csv'): void {
  const url = content.startsWith('data:') ? content : URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  if (!content.startsWith('data:')) setTimeout(() => URL.revokeObjectURL(url), 1000);
}
