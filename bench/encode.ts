/** Encodes generated Zipkin-shaped spans into every ingest format meshtrace accepts (moved to src/simulator). */
export { otlpJson, otlpProto, otlpRequestObject, zipkinJson, zipkinProto } from '../src/simulator/encode.js';
