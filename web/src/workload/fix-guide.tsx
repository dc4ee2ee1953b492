import { CodeBlock } from '../components/code-block.js';
import { fixSnippets } from './fix-snippets.js';

const PROVIDER_NAME = { zipkin: 'Zipkin (B3 headers)', opentelemetry: 'OpenTelemetry (W3C trace context)' } as const;

export function FixGuide({ workload, headers, provider, breaking }: { workload: string; headers: readonly string[]; provider: 'zipkin' | 'opentelemetry' | undefined; breaking: boolean }) {
  return (
    <section aria-labelledby="fix">
      <h2 id="fix">What to fix</h2>
      <p>
        {breaking ? `${workload} starts new traces for calls it makes while serving requests. ` : ''}
        Envoy starts and ends each hop's span, but only the application knows which inbound request an outbound call belongs to:
        it must copy these headers from each inbound request onto every call made for it
        {provider === undefined ? '' : ` (the mesh sends spans through the ${PROVIDER_NAME[provider]} provider)`}:
      </p>
      <ul class="header-list" aria-label="Headers to forward">
        {headers.map((h) => <li key={h}><code>{h}</code></li>)}
      </ul>
      {fixSnippets(workload, headers).map((s, i) => (
        <details key={s.id} open={i === 0} class="snippet">
          <summary>{s.title}</summary>
          <p>{s.note}</p>
          <CodeBlock code={s.code} label={s.title} />
        </details>
      ))}
    </section>
  );
}
