/**
 * The empty state of the mesh pages: how to send a mesh's spans to meshtrace, or how to see it
 * working without a cluster. The snippets are the ones in README.md's Istio section.
 */
import { CodeBlock } from './code-block.js';

const MESH_CONFIG = `meshConfig:
  extensionProviders:
    - name: meshtrace-zipkin            # Envoy posts Zipkin v2 JSON to :9411/api/v2/spans
      zipkin:
        service: meshtrace.istio-system.svc.cluster.local
        port: 9411
    - name: meshtrace-otel              # Envoy exports OTLP over gRPC to :4317
      opentelemetry:
        service: meshtrace.istio-system.svc.cluster.local
        port: 4317`;

const TELEMETRY = `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata:
  name: mesh-default
  namespace: istio-system
spec:
  tracing:
    - providers:
        - name: meshtrace-zipkin
      randomSamplingPercentage: 10`;

const DEMO = 'meshtrace serve --demo';

export function ConnectIstio({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section class="empty-state" aria-labelledby="connect-istio">
      <H id="connect-istio">No sidecar spans yet</H>
      <p>
        meshtrace has not received spans from an Envoy sidecar in this time range. Point your mesh at it:
        add meshtrace as a tracing provider in the mesh config (<code>istioctl install -f</code> or the <code>istio</code> ConfigMap),
        using the provider your mesh runs. The address assumes meshtrace runs as Service <code>meshtrace</code> in <code>istio-system</code>.
      </p>
      <CodeBlock code={MESH_CONFIG} label="meshConfig extensionProviders for meshtrace" />
      <p>Then enable tracing for the whole mesh with a <code>Telemetry</code> resource in the root namespace (pick one provider):</p>
      <CodeBlock code={TELEMETRY} label="Telemetry resource enabling tracing to meshtrace" />
      <p>
        No cluster at hand? Run meshtrace with simulated Bookinfo traffic, in which <code>reviews</code> drops the trace headers,
        and this page fills within seconds:
      </p>
      <CodeBlock code={DEMO} label="Start meshtrace with demo traffic" />
    </section>
  );
}
