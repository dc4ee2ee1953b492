import { useEffect, useRef, useState } from 'preact/hooks';
import { apiPath } from '../api/client.js';
import { isWorkloadDetail } from '../api/shapes.js';
import { useApi } from '../api/use-api.js';
import { formatPercent } from '../format.js';
import type { Window } from '../router.js';
import { Sparkline } from './sparkline.js';

/** True once the element has scrolled into view (then stays true). */
function useSeen(): [(el: Element | null) => void, boolean] {
  const [seen, setSeen] = useState(false);
  const observer = useRef<IntersectionObserver | undefined>(undefined);
  useEffect(() => () => observer.current?.disconnect(), []);
  const ref = (el: Element | null): void => {
    observer.current?.disconnect();
    if (el === null || seen) return;
    observer.current = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setSeen(true);
    });
    observer.current.observe(el);
  };
  return [ref, seen];
}

/**
 * A workload's gap-ratio sparkline, fetched only once its row is on screen: a mesh with hundreds
 * of workloads costs one trend request per visible row, not one per workload. Trends have
 * one point a minute, so they are refetched at most once a minute.
 */
export function LazyTrend({ namespace, workload, window, minuteKey }: { namespace: string; workload: string; window: Window; minuteKey: number }) {
  const [ref, seen] = useSeen();
  const path = seen ? apiPath(`api/propagation/workloads/${encodeURIComponent(namespace)}/${encodeURIComponent(workload)}`, { window }) : undefined;
  const detail = useApi(path, isWorkloadDetail, minuteKey);
  const trend = detail.data?.trend;
  let content = <span class="muted">…</span>;
  if (detail.error !== undefined) content = <span class="muted">unavailable</span>;
  else if (trend !== undefined) {
    const values = trend.map((p) => p.gapRatio);
    const peak = values.length === 0 ? 0 : Math.max(...values);
    content = <Sparkline values={values} label={`Gap ratio of ${workload} per minute, peak ${formatPercent(peak)}`} />;
  }
  return <span ref={ref} class="trend-cell">{content}</span>;
}
