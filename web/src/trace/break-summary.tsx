import type { TraceView } from '../api/types.js';
import { formatCount, formatPercent } from '../format.js';
import { href } from '../router.js';
import { BREAK_EXPLANATION, serviceOf } from './labels.js';
import type { BreakPoint, TraceModel } from './model.js';

/** Lists shown before the waterfall are capped; the waterfall marks every one. */
const MAX_LISTED = 20;
/** A few warnings are shown open; many (clock skew on every hop) start folded. */
const WARNINGS_OPEN = 5;

function breakLine(view: TraceView, model: TraceModel, b: BreakPoint): string {
  const s = view.spans[model.rows[b.row]!.index]!;
  if (b.kind === 'graft' && b.graft !== undefined) {
    const how = b.graft.method === 'request-id' ? 'by a shared x-request-id' : 'by timing';
    return `${b.graft.workload} → ${b.graft.callee}: fragment re-stitched ${how}, confidence ${formatPercent(b.graft.confidence)}`;
  }
  return `${serviceOf(s)}: ${BREAK_EXPLANATION[b.kind]}`;
}

export function BreakSummary({ view, model, onShow }: { view: TraceView; model: TraceModel; onShow: (row: number) => void }) {
  const splitRoot = model.breaks.some((b) => b.kind === 'split-root');
  return (
    <section aria-labelledby="breaks" class="breaks">
      <h2 id="breaks">Where propagation broke</h2>
      {model.breaks.length === 0 && <p>No break in this trace: every span has its parent and no fragment was hung under it.</p>}
      {model.breaks.length > 0 && (
        <ul>
          {model.breaks.slice(0, MAX_LISTED).map((b) => (
            <li key={b.row} class={`break break-${b.kind}`}>
              {breakLine(view, model, b)}{' '}
              <button type="button" class="button-small" onClick={() => onShow(b.row)}>Show span</button>
            </li>
          ))}
          {model.breaks.length > MAX_LISTED && <li>… and {model.breaks.length - MAX_LISTED} more, marked in the waterfall.</li>}
        </ul>
      )}
      {splitRoot && view.stitched !== true && (
        <p>
          The stitched view hangs this fragment back under the request it came from, when meshtrace could tell which one:{' '}
          <a href={href.trace(view.traceId, true)}>open the stitched view</a>.
        </p>
      )}
      {view.warnings.length > 0 && (
        <details class="warnings" open={view.warnings.length <= WARNINGS_OPEN}>
          <summary>{formatCount(view.warnings.length)} warning{view.warnings.length === 1 ? '' : 's'} from assembling the trace</summary>
          <ul>
            {view.warnings.slice(0, MAX_LISTED).map((w, i) => <li key={i}><code>{w.code}</code>: {w.message}</li>)}
            {view.warnings.length > MAX_LISTED && <li>… and {formatCount(view.warnings.length - MAX_LISTED)} more.</li>}
          </ul>
        </details>
      )}
    </section>
  );
}
