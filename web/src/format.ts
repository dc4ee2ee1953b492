/** Display formatting. Durations and timestamps in the API are microseconds. */

export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  const pct = ratio * 100;
  return `${pct === 0 || pct === 100 || pct >= 10 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en');
}

export function formatDurationUs(us: number): string {
  if (!Number.isFinite(us)) return '–';
  const abs = Math.abs(us);
  if (abs < 1000) return `${Math.round(us)} µs`;
  if (abs < 1_000_000) return `${(us / 1000).toFixed(abs < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(abs < 10_000_000 ? 2 : 1)} s`;
}

/** Local date and time, to the second. */
export function formatTimeMs(ms: number): string {
  return new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });
}

export function formatTimeUs(us: number): string {
  return formatTimeMs(us / 1000);
}

export function formatIso(iso: string | undefined): string {
  if (iso === undefined) return '–';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : formatTimeMs(ms);
}

/** Local hour and minute of an ISO time, for chart axes. */
export function formatClock(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}
