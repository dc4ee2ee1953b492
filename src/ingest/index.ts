export { DEFAULT_SPAN_LIMITS, DecodeContext } from './context.js';
export type { SpanLimits } from './context.js';
export { loadProtos } from './proto-root.js';
