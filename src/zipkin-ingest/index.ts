export { ZipkinPayloadError, decodeZipkinJson } from './decode-json.js';
export { ListOfSpans, decodeZipkinProto } from './decode-proto.js';
export { zipkinSpansRoute } from './spans-route.js';
export type { ZipkinIngestOptions } from './spans-route.js';
