/**
 * A trace id in a tight column: the whole id is the text (what screen readers read and links are
 * named by), CSS clips what is shown to its start.
 */
export function TraceIdText({ id }: { id: string }) {
  return <code class="trace-id-short" title={id}>{id}</code>;
}
