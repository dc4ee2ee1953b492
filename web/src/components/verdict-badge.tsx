import type { Verdict } from '../api/types.js';

const TEXT: Record<Verdict, string> = {
  'breaks-propagation': 'Breaks propagation',
  'propagates': 'Propagates',
  'insufficient-data': 'Not enough data',
};

/** The verdict in words (colour only repeats what the words say). */
export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return <span class={`badge badge-${verdict}`}>{TEXT[verdict]}</span>;
}
