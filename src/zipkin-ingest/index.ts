export { ZipkinPayloadError, decodeZipkinJson } from './decode-json.js';
export { ListOfSpans, decodeZipkinProto } from './decode-proto.js';
