/**
 * Calibration of time-window graft confidences. The raw figure (the chosen window's share of the
 * candidates' weight, times the chance the parent was recorded at all) ranks candidates well but
 * is overconfident in its middle range: of the grafts it scored 0.85, about 56% were right. The
 * mesh simulator's ground truth (`npm run bench -- --only audit`, 324 cases) gives the accuracy
 * actually reached per raw-confidence bucket; this monotone piecewise-linear map turns the raw
 * figure into that accuracy, so "0.8" means right about 8 times in 10.
 *
 * The knots were fitted on the same simulated matrix the bench scores, so the bench's table is an
 * in-sample check; real meshes whose timing differs from the simulator's may need new knots.
 */

/** [raw, calibrated] pairs, raw ascending, calibrated non-decreasing. */
const KNOTS: readonly (readonly [number, number])[] = [
  [0, 0], [0.042, 0.031], [0.122, 0.097], [0.259, 0.212], [0.347, 0.223], [0.45, 0.279],
  [0.551, 0.434], [0.639, 0.462], [0.75, 0.463], [0.854, 0.564], [0.993, 0.961], [1, 0.97],
];

/** The calibrated probability that a time-window graft with this raw confidence is right. */
export function calibrateTimeWindow(raw: number): number {
  if (!(raw > 0)) return 0;
  for (let i = 1; i < KNOTS.length; i++) {
    const [x1, y1] = KNOTS[i]!;
    if (raw <= x1) {
      const [x0, y0] = KNOTS[i - 1]!;
      return y0 + ((raw - x0) / (x1 - x0)) * (y1 - y0);
    }
  }
  return KNOTS[KNOTS.length - 1]![1];
}

/** Index of the first of `sorted` greater than `x`. */
function countAtMost(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Σ calibrateTimeWindow(scale · p) over `sorted` (ascending), given `prefix[i]` = the sum of its
 * first i values. The map is linear between knots, so each knot's segment adds up from a count
 * and a sum: a report pays per knot, not per graft, however many inferred gaps it covers.
 */
export function calibratedSum(sorted: ArrayLike<number>, prefix: ArrayLike<number>, scale: number): number {
  if (!(scale > 0) || sorted.length === 0) return 0;
  let total = 0;
  let a = countAtMost(sorted, 0);
  for (let i = 1; i < KNOTS.length && a < sorted.length; i++) {
    const [x0, y0] = KNOTS[i - 1]!;
    const [x1, y1] = KNOTS[i]!;
    const b = countAtMost(sorted, x1 / scale);
    if (b > a) {
      const slope = (y1 - y0) / (x1 - x0);
      total += (b - a) * (y0 - x0 * slope) + slope * scale * (prefix[b]! - prefix[a]!);
    }
    a = Math.max(a, b);
  }
  return total + (sorted.length - a) * KNOTS[KNOTS.length - 1]![1];
}
