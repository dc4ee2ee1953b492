import { apiPath } from '../api/client.js';
import { isReport } from '../api/shapes.js';
import type { EdgeReport, PropagationReport, WorkloadReport } from '../api/types.js';
import { useApi } from '../api/use-api.js';
import { RefreshControl, useAutoRefresh } from '../components/auto-refresh.js';
import { ConnectIstio } from '../components/connect-istio.js';
import { LazyTrend } from '../components/lazy-trend.js';
import { LoadState } from '../components/load-state.js';
import { NamespacePicker, useKnownNamespaces } from '../components/namespace-picker.js';
import { VerdictBadge } from '../components/verdict-badge.js';
import { WindowPicker } from '../components/window-picker.js';
import { formatCount, formatIso, formatPercent, formatTimeMs } from '../format.js';
import { useReadyMarker } from '../ready.js';
import { href, navigate } from '../router.js';
import type { Window } from '../router.js';

export const REFRESH_SECONDS = 10;
const TREND_EVERY_TICKS = 6; // trends have a point a minute: refetch them once a minute

function MeshSummary({ report }: { report: PropagationReport }) {
  const { mesh } = report;
  const scoreClass = mesh.breaking > 0 ? 'score score-bad' : 'score score-good';
  return (
    <section class="summary" aria-labelledby="mesh-summary">
      <h2 id="mesh-summary" class="visually-hidden">Mesh summary</h2>
      <dl class="stats">
        <div><dt>Propagation score</dt><dd class={scoreClass}>{formatPercent(mesh.propagationScore)}</dd></div>
        <div><dt>Workloads breaking propagation</dt><dd>{formatCount(mesh.breaking)} of {formatCount(mesh.workloads)}</dd></div>
        <div><dt>Trace id widths</dt><dd>{formatCount(mesh.traceIdWidths['128'])} × 128-bit, {formatCount(mesh.traceIdWidths['64'])} × 64-bit</dd></div>
      </dl>
      <p class="muted">The score is the share of calls between mesh workloads that kept their trace context.</p>
      {mesh.hints.length > 0 && <ul class="hints">{mesh.hints.map((h) => <li key={h}>{h}</li>)}</ul>}
    </section>
  );
}

/** The callees a workload lost trace context to, worst first. */
function AffectedEdges({ edges }: { edges: readonly EdgeReport[] }) {
  if (edges.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="inline-list">
      {edges.map((e) => (
        <li key={e.to}><a href={href.workloadKey(e.to)}>{e.to}</a> ({formatPercent(e.gapRatio)})</li>
      ))}
    </ul>
  );
}

function WorkloadRow({ w, edges, window, minuteKey }: { w: WorkloadReport; edges: readonly EdgeReport[]; window: Window; minuteKey: number }) {
  return (
    <tr class={w.verdict === 'breaks-propagation' ? 'row-breaking' : undefined}>
      <th scope="row">
        <a href={href.workload(w.namespace, w.workload, window)}>{w.workload}</a>
        <span class="muted small"> {w.namespace}</span>
      </th>
      <td><VerdictBadge verdict={w.verdict} /></td>
      <td class="num">{w.role === 'service' ? formatPercent(w.gapRatio) : <span class="muted" title={w.reason}>{w.role}</span>}</td>
      <td class="num">{formatCount(w.gaps.confirmed)}</td>
      <td class="num">{formatCount(w.gaps.inferred)}</td>
      <td class="num">{formatCount(w.requests)}</td>
      <td><AffectedEdges edges={edges} /></td>
      <td><LazyTrend namespace={w.namespace} workload={w.workload} window={window} minuteKey={minuteKey} /></td>
    </tr>
  );
}

function WorkloadTable({ report, window, minuteKey }: { report: PropagationReport; window: Window; minuteKey: number }) {
  const broken = new Map<string, EdgeReport[]>();
  for (const e of report.edges) {
    if (e.gaps === 0) continue;
    const list = broken.get(e.from) ?? [];
    list.push(e);
    broken.set(e.from, list);
  }
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="workloads-caption">
      <table class="data-table" id="workloads">
        <caption id="workloads-caption">Workloads, worst first, since {formatIso(report.window.from)}</caption>
        <thead>
          <tr>
            <th scope="col">Workload</th><th scope="col">Verdict</th><th scope="col">Gap ratio</th>
            <th scope="col"><abbr title="Gaps proven by a shared x-request-id">Confirmed</abbr></th>
            <th scope="col"><abbr title="Gaps matched to a request by timing">Inferred</abbr></th>
            <th scope="col">Requests</th><th scope="col">Affected edges</th><th scope="col">Trend</th>
          </tr>
        </thead>
        <tbody>
          {report.workloads.map((w) => (
            <WorkloadRow key={`${w.namespace}/${w.workload}`} w={w} edges={broken.get(`${w.namespace}/${w.workload}`) ?? []} window={window} minuteKey={minuteKey} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function OverviewPage({ window, namespace }: { window: Window; namespace: string | undefined }) {
  const refresh = useAutoRefresh(REFRESH_SECONDS * 1000);
  const report = useApi(apiPath('api/propagation/report', { window, namespace }), isReport, refresh.tick);
  const namespaces = useKnownNamespaces(report.data?.workloads.map((w) => w.namespace) ?? [], namespace);
  const data = report.data;
  useReadyMarker('overview', data !== undefined);
  return (
    <>
      <h1>Propagation overview</h1>
      <p class="lead">Which workloads lose the trace context of the requests they serve, so that their calls start new traces.</p>
      <form class="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Report options">
        <WindowPicker value={window} onChange={(w) => navigate(href.overview(w, namespace))} />
        <NamespacePicker namespaces={namespaces} value={namespace} onChange={(ns) => navigate(href.overview(window, ns))} />
        <RefreshControl refresh={refresh} seconds={REFRESH_SECONDS} updatedAt={report.receivedAt === undefined ? undefined : formatTimeMs(report.receivedAt)} />
      </form>
      <LoadState state={report} what="the propagation report" />
      {data !== undefined && data.workloads.length === 0 && <ConnectIstio />}
      {data !== undefined && data.workloads.length > 0 && (
        <>
          <MeshSummary report={data} />
          <WorkloadTable report={data} window={window} minuteKey={Math.floor(refresh.tick / TREND_EVERY_TICKS)} />
        </>
      )}
    </>
  );
}
