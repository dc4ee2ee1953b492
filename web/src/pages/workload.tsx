import { apiPath } from '../api/client.js';
import { isWorkloadDetail } from '../api/shapes.js';
import type { EdgeReport, Evidence, Graft, WorkloadDetail } from '../api/types.js';
import { useApi } from '../api/use-api.js';
import { GapChart } from '../components/gap-chart.js';
import { LoadState } from '../components/load-state.js';
import { TraceIdText } from '../components/trace-id.js';
import { VerdictBadge } from '../components/verdict-badge.js';
import { WindowPicker } from '../components/window-picker.js';
import { formatCount, formatIso, formatPercent } from '../format.js';
import { useReadyMarker } from '../ready.js';
import { href, navigate } from '../router.js';
import type { Window } from '../router.js';
import { FixGuide } from '../workload/fix-guide.js';

const EVIDENCE_KIND: Record<Evidence['kind'], string> = {
  'confirmed': 'Confirmed: the call carried the x-request-id of a request the pod was serving',
  'inferred': 'Inferred: the call started while the pod was serving this request',
  'unattributed': 'Unattributed: no request of the pod could have caused it',
  'dead-end': 'Dead end: a request whose calls are missing from its trace',
};

function Stats({ w }: { w: WorkloadDetail }) {
  return (
    <dl class="stats">
      <div><dt>Gap ratio</dt><dd class={w.verdict === 'breaks-propagation' ? 'score score-bad' : 'score'}>{formatPercent(w.gapRatio)}</dd></div>
      <div><dt>Sampled requests served</dt><dd>{formatCount(w.requests)}</dd></div>
      <div><dt>Sampled calls made</dt><dd>{formatCount(w.calls)}</dd></div>
      <div><dt>Confirmed gaps</dt><dd>{formatCount(w.gaps.confirmed)}</dd></div>
      <div><dt>Inferred gaps</dt><dd>{formatCount(w.gaps.inferred)}</dd></div>
      <div><dt>Unattributed</dt><dd>{formatCount(w.gaps.unattributed)}</dd></div>
      <div><dt>Dead ends</dt><dd>{formatCount(w.gaps.deadEnds)}</dd></div>
      <div><dt>Pods</dt><dd>{formatCount(w.pods)}</dd></div>
      <div><dt>First seen</dt><dd>{formatIso(w.firstSeen)}</dd></div>
      <div><dt>Last seen</dt><dd>{formatIso(w.lastSeen)}</dd></div>
    </dl>
  );
}

function Edges({ edges, self, window }: { edges: readonly EdgeReport[]; self: string; window: Window }) {
  if (edges.length === 0) return <p class="muted">No calls to or from other workloads in this time range.</p>;
  return (
    <table class="data-table">
      <caption>Calls to and from this workload</caption>
      <thead><tr><th scope="col">Caller</th><th scope="col">Callee</th><th scope="col">Calls</th><th scope="col">Lost context</th><th scope="col">Gap ratio</th><th scope="col">Confirmed</th><th scope="col">Inferred</th></tr></thead>
      <tbody>
        {edges.map((e) => (
          <tr key={`${e.from}>${e.to}`} class={e.gaps > 0 ? 'row-breaking' : undefined}>
            <th scope="row">{e.from === self ? e.from : <a href={href.workloadKey(e.from, window)}>{e.from}</a>}</th>
            <td>{e.to === self ? e.to : <a href={href.workloadKey(e.to, window)}>{e.to}</a>}</td>
            <td class="num">{formatCount(e.calls)}</td><td class="num">{formatCount(e.gaps)}</td><td class="num">{formatPercent(e.gapRatio)}</td>
            <td class="num">{formatCount(e.confirmed)}</td><td class="num">{formatCount(e.inferred)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EvidenceTable({ evidence }: { evidence: readonly Evidence[] }) {
  if (evidence.length === 0) return <p class="muted">No examples in this time range.</p>;
  return (
    <table class="data-table">
      <caption>Example traces</caption>
      <thead><tr><th scope="col">What</th><th scope="col">Split-off trace</th><th scope="col">Called</th><th scope="col">Likely parent</th><th scope="col">Confidence</th></tr></thead>
      <tbody>
        {evidence.map((e) => (
          <tr key={`${e.traceId}/${e.spanId}`}>
            <td>{EVIDENCE_KIND[e.kind]}</td>
            <td><a href={href.trace(e.traceId)}><TraceIdText id={e.traceId} /></a></td>
            <td>{e.callee ?? '–'}</td>
            <td>{e.parent === undefined ? '–' : <a href={href.trace(e.traceId, true)}>stitched view<span class="visually-hidden"> of trace {e.traceId}</span></a>}</td>
            <td class="num">{e.kind === 'dead-end' ? '–' : formatPercent(e.confidence)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Grafts shown before the rest fold away: the point is a few examples, not the full list. */
const GRAFTS_SHOWN = 5;

function GraftTable({ grafts }: { grafts: readonly Graft[] }) {
  if (grafts.length === 0) return <p class="muted">No fragment was re-stitched with enough confidence in this time range.</p>;
  if (grafts.length > GRAFTS_SHOWN) {
    return (
      <>
        <GraftRows grafts={grafts.slice(0, GRAFTS_SHOWN)} caption={`Fragments hung back under the request they came from (${GRAFTS_SHOWN} of ${grafts.length})`} />
        <details>
          <summary>{grafts.length - GRAFTS_SHOWN} more re-stitched fragments</summary>
          <GraftRows grafts={grafts.slice(GRAFTS_SHOWN)} caption="More re-stitched fragments" />
        </details>
      </>
    );
  }
  return <GraftRows grafts={grafts} caption="Fragments hung back under the request they came from" />;
}

function GraftRows({ grafts, caption }: { grafts: readonly Graft[]; caption: string }) {
  return (
    <table class="data-table">
      <caption>{caption}</caption>
      <thead><tr><th scope="col">Fragment</th><th scope="col">Parent trace</th><th scope="col">Callee</th><th scope="col">Method</th><th scope="col">Confidence</th></tr></thead>
      <tbody>
        {grafts.map((g) => (
          <tr key={g.orphanTraceId}>
            <td><a href={href.trace(g.orphanTraceId, true)}><TraceIdText id={g.orphanTraceId} /></a></td>
            <td><a href={href.trace(g.parentTraceId)}><TraceIdText id={g.parentTraceId} /></a></td>
            <td>{g.callee}</td>
            <td>{g.method === 'request-id' ? 'shared x-request-id' : 'timing'}</td>
            <td class="num">{formatPercent(g.confidence)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function WorkloadPage({ namespace, workload, window }: { namespace: string; workload: string; window: Window }) {
  const detail = useApi(apiPath(`api/propagation/workloads/${encodeURIComponent(namespace)}/${encodeURIComponent(workload)}`, { window }), isWorkloadDetail);
  const w = detail.data;
  useReadyMarker('workload', w !== undefined);
  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb"><a href={href.overview(window)}>Overview</a> › {namespace}/{workload}</nav>
      <h1>{workload} <span class="muted">in {namespace}</span></h1>
      <form class="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Workload options">
        <WindowPicker value={window} onChange={(next) => navigate(href.workload(namespace, workload, next))} />
      </form>
      <LoadState state={detail} what={`workload ${namespace}/${workload}`} />
      {w !== undefined && (
        <>
          <p><VerdictBadge verdict={w.verdict} /> {w.reason}</p>
          {w.hints.length > 0 && <ul class="hints">{w.hints.map((h) => <li key={h}>{h}</li>)}</ul>}
          <Stats w={w} />
          <h2>Gap ratio over time</h2>
          <GapChart points={w.trend} title={`Gap ratio of ${workload} per minute`} />
          {w.verdict === 'breaks-propagation' && <FixGuide workload={workload} headers={w.headersToForward} provider={w.provider} breaking />}
          <h2>Calls</h2>
          <Edges edges={w.edges} self={`${namespace}/${workload}`} window={window} />
          <h2>Evidence</h2>
          <EvidenceTable evidence={w.evidence} />
          <h2>Re-stitched fragments</h2>
          <GraftTable grafts={w.grafts} />
          {w.role === 'service' && w.verdict !== 'breaks-propagation' && <FixGuide workload={workload} headers={w.headersToForward} provider={w.provider} breaking={false} />}
        </>
      )}
    </>
  );
}
