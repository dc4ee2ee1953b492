import { useMemo, useRef } from 'preact/hooks';

/**
 * Namespaces seen so far in this session: a filtered report only names its own namespace, so the
 * list remembers the others to let the user switch back and across.
 */
export function useKnownNamespaces(current: readonly string[], selected: string | undefined): string[] {
  const seen = useRef(new Set<string>());
  return useMemo(() => {
    for (const ns of current) seen.current.add(ns);
    if (selected !== undefined) seen.current.add(selected);
    return [...seen.current].sort();
  }, [current, selected]);
}

export function NamespacePicker({ namespaces, value, onChange }: { namespaces: readonly string[]; value: string | undefined; onChange: (ns: string | undefined) => void }) {
  return (
    <div class="field">
      <label for="namespace">Namespace</label>
      <select id="namespace" value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value)}>
        <option value="">All namespaces</option>
        {namespaces.map((ns) => <option key={ns} value={ns}>{ns}</option>)}
      </select>
    </div>
  );
}
