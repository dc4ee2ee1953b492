export { ZipkinPayloadError, decodeZipkinJson } from './decode-json.js';
export { ListOfSpans, decodeZipkinProto } from './decode-proto.js';
export { zipkinSpansRoute } from './plugin.js';
export type { ZipkinIngestOptions } from './plugin.js';
