export { buildMetrics } from './prometheus.js';
export type { MetricsSources } from './prometheus.js';
