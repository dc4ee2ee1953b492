/**
 * The gRPC baseline: a bare grpc-js server whose Export handler only decodes the request with
 * protobufjs and answers empty. Run as a child process; prints its port on stdout.
 */
import * as grpc from '@grpc/grpc-js';
import { ExportTraceServiceRequest } from '../src/otlp-ingest/otlp-proto.js';

const passthrough = (b: Buffer): Buffer => b;
const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
server.addService({
  Export: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    requestStream: false, responseStream: false,
    requestSerialize: passthrough, requestDeserialize: passthrough,
    responseSerialize: passthrough, responseDeserialize: passthrough,
  },
}, {
  Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    ExportTraceServiceRequest.decode(call.request);
    callback(null, Buffer.alloc(0));
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`${port}\n`);
});
