/**
 * The Zipkin proto3 types, loaded once from `proto/zipkin.proto` (written for meshtrace from the
 * field numbers published in openzipkin/zipkin-api). Ingest reads the wire itself; these serve the
 * simulator's encoder, tests and the benchmark's baseline.
 */
import { loadProtos } from '../ingest/proto-root.js';

const root = loadProtos('zipkin.proto');

/** `zipkin.proto3.ListOfSpans`. */
export const ListOfSpans = root.lookupType('zipkin.proto3.ListOfSpans');
