import { useMemo, useState } from 'preact/hooks';
import { apiPath } from '../api/client.js';
import { isTraceView } from '../api/shapes.js';
import type { TraceView } from '../api/types.js';
import { useApi } from '../api/use-api.js';
import { LoadState } from '../components/load-state.js';
import { TraceIdText } from '../components/trace-id.js';
import { formatCount, formatDurationUs, formatTimeUs } from '../format.js';
import { useReadyMarker } from '../ready.js';
import { href, navigate } from '../router.js';
import { BreakSummary } from '../trace/break-summary.js';
import { buildTraceModel } from '../trace/model.js';
import { SpanDetails } from '../trace/span-details.js';
import { Waterfall } from '../trace/waterfall.js';

function StitchToggle({ traceId, stitched }: { traceId: string; stitched: boolean }) {
  return (
    <div class="field field-inline">
      <input id="stitched" type="checkbox" checked={stitched} onChange={(e) => navigate(href.trace(traceId, e.currentTarget.checked))} />
      <label for="stitched">Stitched view: hang split-off fragments back under the request they came from</label>
    </div>
  );
}

function Fragments({ view, asked }: { view: TraceView; asked: string }) {
  const fragments = view.fragments ?? [];
  return (
    <div class="notice">
      {asked !== view.traceId && <p>Trace <code>{asked}</code> split off another trace; this is the trace it belongs to, <code>{view.traceId}</code>, with every fragment hung back.</p>}
      <p>
        {fragments.length === 0 ? 'No fragment was re-stitched under this trace.' : `${formatCount(fragments.length)} fragment${fragments.length === 1 ? '' : 's'} hung under this trace, highlighted below: `}
        {fragments.slice(0, 10).map((f, i) => <span key={f}>{i > 0 && ', '}<a href={href.trace(f)}><TraceIdText id={f} /></a></span>)}
        {fragments.length > 10 && ', …'}
      </p>
    </div>
  );
}

function TraceBody({ view, asked }: { view: TraceView; asked: string }) {
  const model = useMemo(() => buildTraceModel(view), [view]);
  const [selected, setSelected] = useState<number | undefined>(undefined);
  return (
    <>
      <dl class="stats">
        <div><dt>Started</dt><dd>{formatTimeUs(model.startUs)}</dd></div>
        <div><dt>Duration</dt><dd>{formatDurationUs(model.endUs - model.startUs)}</dd></div>
        <div><dt>Spans</dt><dd>{formatCount(view.spans.length)}</dd></div>
        <div><dt>Workloads</dt><dd>{formatCount(model.services)}</dd></div>
        <div><dt>Hops</dt><dd>{formatCount(view.hops.length)}</dd></div>
      </dl>
      {view.stitched === true && <Fragments view={view} asked={asked} />}
      <BreakSummary view={view} model={model} onShow={setSelected} />
      <h2>Waterfall</h2>
      <p class="muted small">Times are corrected for clock skew between hosts. Each server span shows the network time of its hop: its client's time minus its own.</p>
      <Waterfall view={view} model={model} selected={selected} onSelect={setSelected} />
      {selected === undefined
        ? <p class="muted">Select a span to see its details and tags.</p>
        : <SpanDetails view={view} model={model} row={selected} />}
    </>
  );
}

export function TracePage({ traceId, stitched }: { traceId: string; stitched: boolean }) {
  const path = apiPath(`api/traces/${encodeURIComponent(traceId)}`, { stitched: stitched ? 'true' : undefined });
  const trace = useApi(path, isTraceView);
  useReadyMarker('trace', trace.data !== undefined);
  return (
    <>
      <h1>Trace <code class="trace-id">{trace.data?.traceId ?? traceId}</code></h1>
      <StitchToggle traceId={traceId} stitched={stitched} />
      <LoadState state={trace} what={`trace ${traceId}`} />
      {trace.error?.status === 404 && <p>meshtrace keeps traces for its retention period (<code>--retention</code>, one hour by default).</p>}
      {trace.data !== undefined && <TraceBody key={path} view={trace.data} asked={traceId} />}
    </>
  );
}
