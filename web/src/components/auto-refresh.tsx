import { useEffect, useState } from 'preact/hooks';

export interface AutoRefresh {
  /** Changes on every refresh: pass it as the refresh key of `useApi`. */
  readonly tick: number;
  readonly paused: boolean;
  readonly setPaused: (paused: boolean) => void;
  readonly refreshNow: () => void;
}

/** A tick every `intervalMs` unless paused; a hidden tab does not refresh (nobody is looking). */
export function useAutoRefresh(intervalMs: number): AutoRefresh {
  const [tick, setTick] = useState(0);
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return undefined;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, intervalMs);
    return () => clearInterval(timer);
  }, [paused, intervalMs]);
  return { tick, paused, setPaused, refreshNow: () => setTick((t) => t + 1) };
}

export function RefreshControl({ refresh, seconds, updatedAt }: { refresh: AutoRefresh; seconds: number; updatedAt: string | undefined }) {
  return (
    <div class="field field-inline">
      <input
        id="auto-refresh" type="checkbox" checked={!refresh.paused}
        onChange={(e) => refresh.setPaused(!e.currentTarget.checked)}
      />
      <label for="auto-refresh">Auto-refresh every {seconds} s</label>
      <button type="button" class="button-small" onClick={refresh.refreshNow}>Refresh now</button>
      {updatedAt !== undefined && <span class="muted">Updated {updatedAt}</span>}
    </div>
  );
}
