export { toZipkinSpan } from './to-zipkin.js';
export type { ZipkinAnnotationJson, ZipkinEndpointJson, ZipkinKind, ZipkinSpanJson } from './to-zipkin.js';
export {
  DEFAULT_LIMIT, DEFAULT_LOOKBACK_MS, ParamError, parseDependencyQuery, parseTraceIdParam, parseTraceIds, parseTraceQuery,
  requiredParam,
} from './params.js';
export type { TimeWindow } from './params.js';
export {
  MAX_AUTOCOMPLETE_VALUES, autocompleteValues, dependencyLinks, remoteServiceNames, serviceNames, spanNames,
} from './aggregate.js';
export type { DependencyLink } from './aggregate.js';
export { DEFAULT_AUTOCOMPLETE_KEYS, zipkinReadApi } from './plugin.js';
export type { ZipkinReadApiOptions } from './plugin.js';
