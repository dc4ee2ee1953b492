/**
 * Marks a page as rendered with its data: `document.body.dataset.ready` names the page (tests
 * wait on it) and a performance mark `meshtrace:ready:<page>` records when (the bench reads it).
 */
import { useEffect } from 'preact/hooks';

export function useReadyMarker(page: string, ready: boolean): void {
  useEffect(() => {
    if (!ready) return undefined;
    document.body.dataset['ready'] = page;
    if (performance.getEntriesByName(`meshtrace:ready:${page}`).length === 0) performance.mark(`meshtrace:ready:${page}`);
    return () => {
      if (document.body.dataset['ready'] === page) delete document.body.dataset['ready'];
    };
  }, [page, ready]);
}
