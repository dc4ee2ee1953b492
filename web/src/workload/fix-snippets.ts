/**
 * "What to fix" for a workload that breaks propagation: the headers its mesh's provider needs
 * forwarded, and how to get there on common stacks. OpenTelemetry SDKs propagate the trace
 * headers (tracecontext, B3) but not Envoy's `x-request-id`, so every snippet copies that one too.
 * The SDK snippets also export the app's own spans to meshtrace: an SDK makes its span the
 * parent of the outbound call, and a parent that is never reported leaves an orphan instead of a
 * split (open-telemetry/opentelemetry-specification#580).
 */

export interface FixSnippet {
  readonly id: string;
  readonly title: string;
  readonly note: string;
  readonly code: string;
}

const OTLP_ENDPOINT = 'http://meshtrace.istio-system.svc.cluster.local:4318';

/** `OTEL_PROPAGATORS` for the headers the provider reads. */
export function propagatorsFor(headers: readonly string[]): string {
  const names: string[] = [];
  if (headers.includes('traceparent')) names.push('tracecontext');
  names.push('baggage');
  if (headers.some((h) => h.startsWith('x-b3-'))) names.push('b3multi');
  return names.join(',');
}

function otelEnv(service: string, headers: readonly string[]): string {
  return [
    `OTEL_SERVICE_NAME=${service}`,
    `OTEL_PROPAGATORS=${propagatorsFor(headers)}`,
    'OTEL_TRACES_EXPORTER=otlp',
    'OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf',
    `OTEL_EXPORTER_OTLP_ENDPOINT=${OTLP_ENDPOINT}`,
  ].map((line) => `export ${line}`).join('\n');
}

function quoted(headers: readonly string[]): string {
  return headers.map((h) => `'${h}'`).join(', ');
}

const REQUEST_ID_NOTE = 'OpenTelemetry does not forward x-request-id: copy it by hand as in the last snippet, so Envoy keeps one request id (and one sampling decision) across the hop.';

function nodeSnippet(service: string, headers: readonly string[]): FixSnippet {
  return {
    id: 'node', title: 'Node.js: OpenTelemetry auto-instrumentation', note: REQUEST_ID_NOTE,
    code: `npm install @opentelemetry/api @opentelemetry/auto-instrumentations-node
${otelEnv(service, headers)}
export NODE_OPTIONS="--require @opentelemetry/auto-instrumentations-node/register"
node app.js`,
  };
}

function javaSnippet(service: string, headers: readonly string[]): FixSnippet {
  return {
    id: 'java', title: 'Java: OpenTelemetry Java agent', note: REQUEST_ID_NOTE,
    code: `# opentelemetry-javaagent.jar from the opentelemetry-java-instrumentation releases, baked into the image
${otelEnv(service, headers)}
java -javaagent:/otel/opentelemetry-javaagent.jar -jar app.jar`,
  };
}

function pythonSnippet(service: string, headers: readonly string[]): FixSnippet {
  const b3 = headers.some((h) => h.startsWith('x-b3-')) ? ' opentelemetry-propagator-b3' : '';
  return {
    id: 'python', title: 'Python: OpenTelemetry auto-instrumentation', note: REQUEST_ID_NOTE,
    code: `pip install opentelemetry-distro opentelemetry-exporter-otlp${b3}
opentelemetry-bootstrap -a install
${otelEnv(service, headers)}
opentelemetry-instrument python app.py`,
  };
}

function goSnippet(headers: readonly string[]): FixSnippet {
  const b3 = headers.some((h) => h.startsWith('x-b3-'));
  return {
    id: 'go', title: 'Go: otelhttp on the server and the client',
    note: 'Go has no agent: wrap the handler and the client transport, and always build outbound requests from the inbound request\'s context.',
    code: `otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
\tpropagation.TraceContext{}, propagation.Baggage{},${b3 ? '\n\tb3.New(b3.WithInjectEncoding(b3.B3MultipleHeader)), // go.opentelemetry.io/contrib/propagators/b3' : ''}
))
http.Handle("/", otelhttp.NewHandler(mux, "server"))
client := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport)}

// In a handler: the inbound context carries the trace; x-request-id is copied by hand.
out, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, url, nil)
out.Header.Set("x-request-id", r.Header.Get("x-request-id"))
resp, err := client.Do(out)`,
  };
}

function manualSnippet(headers: readonly string[]): FixSnippet {
  return {
    id: 'manual', title: 'Any language: copy the headers by hand',
    note: 'Capture the headers while handling the request; calls made later from background tasks, thread pools or retries need them too.',
    code: `// Node.js (Express): the inbound request's trace headers, for every outbound call it causes
const FORWARD = [${quoted(headers)}];

function traceHeaders(req) {
  const out = {};
  for (const name of FORWARD) {
    const value = req.get(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

app.get('/products/:id', async (req, res) => {
  const reply = await fetch(\`http://reviews:9080/reviews/\${req.params.id}\`, { headers: traceHeaders(req) });
  res.json(await reply.json());
});

# Python (Flask + requests)
FORWARD = [${quoted(headers)}]

def trace_headers(request):
    return {name: request.headers[name] for name in FORWARD if name in request.headers}

requests.get(url, headers=trace_headers(request))`,
  };
}

export function fixSnippets(workload: string, headers: readonly string[]): FixSnippet[] {
  return [nodeSnippet(workload, headers), javaSnippet(workload, headers), pythonSnippet(workload, headers), goSnippet(headers), manualSnippet(headers)];
}
