/**
 * Clock-skew correction for display, the way Zipkin's UI and Jaeger do it: when a SERVER span on
 * another host starts before its CLIENT parent or ends after it, the clocks disagree, so the
 * server's subtree is shifted to sit in the middle of the client span (network time split evenly
 * both ways). Stored spans are never changed; this returns per-span offsets.
 */
import type { Span } from '../model/index.js';
import type { SpanTree, TraceWarning } from './tree.js';

function sameHost(a: Span, b: Span): boolean {
  const ea = a.localEndpoint;
  const eb = b.localEndpoint;
  if (ea === undefined || eb === undefined) return false;
  if (ea.ipv4 !== undefined && ea.ipv4 === eb.ipv4) return true;
  return a.mesh?.podName !== undefined && a.mesh.podName === b.mesh?.podName;
}

/** Offset of the server span that centers it inside its client span, or 0 when it already fits. */
function serverOffset(client: Span, server: Span): number {
  if (client.timestampUs === 0 || server.timestampUs === 0 || sameHost(client, server)) return 0;
  const clientEnd = client.timestampUs + client.durationUs;
  const serverEnd = server.timestampUs + server.durationUs;
  if (server.timestampUs >= client.timestampUs && serverEnd <= clientEnd) return 0;
  const latency = Math.max(0, Math.floor((client.durationUs - server.durationUs) / 2));
  return client.timestampUs + latency - server.timestampUs;
}

/** Per-span start offsets in microseconds (0 for most spans) and one warning per adjusted hop. */
export function correctClockSkew(spans: readonly Span[], tree: SpanTree): { offsets: Float64Array; warnings: TraceWarning[] } {
  const offsets = new Float64Array(spans.length);
  const warnings: TraceWarning[] = [];
  // Iterative pre-order walk: children inherit their parent's offset, then add their own.
  const stack = [...tree.roots, ...tree.orphans];
  while (stack.length > 0) {
    const i = stack.pop()!;
    const p = tree.parent[i]!;
    let offset = p === -1 ? 0 : offsets[p]!;
    if (p !== -1 && spans[p]!.kind === 'CLIENT' && spans[i]!.kind === 'SERVER') {
      const own = serverOffset({ ...spans[p]!, timestampUs: spans[p]!.timestampUs + offsets[p]! }, { ...spans[i]!, timestampUs: spans[i]!.timestampUs + offset });
      if (own !== 0) {
        offset += own;
        warnings.push({ code: 'clock-skew', spanId: spans[i]!.id, message: `span ${spans[i]!.id} shifted by ${own} µs to fit inside its client span` });
      }
    }
    offsets[i] = offset;
    for (const c of tree.children[i]!) stack.push(c);
  }
  return { offsets, warnings };
}
