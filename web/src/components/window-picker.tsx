import { WINDOWS } from '../router.js';
import type { Window } from '../router.js';

const LABELS: Record<Window, string> = { '5m': 'Last 5 minutes', '15m': 'Last 15 minutes', '1h': 'Last hour', '6h': 'Last 6 hours', '24h': 'Last 24 hours' };

export function WindowPicker({ value, onChange, id = 'window' }: { value: Window; onChange: (w: Window) => void; id?: string }) {
  return (
    <div class="field">
      <label for={id}>Time range</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value as Window)}>
        {WINDOWS.map((w) => <option key={w} value={w}>{LABELS[w]}</option>)}
      </select>
    </div>
  );
}
