import { describe, expect, it } from 'vitest';
import { ACCEPTED_ENCODINGS, GrpcStatus, encodeGrpcMessage, framed, isAcceptedEncoding, isGrpcContentType, unaryMessage } from './grpc-wire.js';

describe('gRPC wire helpers', () => {
  it('percent-encodes grpc-message exactly where the protocol asks', () => {
    expect(encodeGrpcMessage('spans[3].traceId: not hex')).toBe('spans[3].traceId: not hex');
    expect(encodeGrpcMessage('100% über\n')).toBe('100%25 %C3%BCber%0A');
    expect(decodeURIComponent(encodeGrpcMessage('100% über\n'))).toBe('100% über\n');
  });

  it('recognizes gRPC content types and nothing else', () => {
    for (const ok of ['application/grpc', 'application/grpc+proto', 'application/grpc;charset=utf-8']) expect(isGrpcContentType(ok), ok).toBe(true);
    for (const no of [undefined, '', 'application/json', 'application/grpc-web', 'application/grpcx']) expect(isGrpcContentType(no), String(no)).toBe(false);
  });

  it('accepts exactly the encodings it advertises', () => {
    expect(ACCEPTED_ENCODINGS).toBe('identity,gzip,deflate');
    for (const ok of [undefined, 'identity', 'gzip', 'deflate']) expect(isAcceptedEncoding(ok), String(ok)).toBe(true);
    for (const no of ['snappy', 'GZIP', '', 'gzip,deflate']) expect(isAcceptedEncoding(no), no).toBe(false);
  });

  it('reads back exactly the message it framed', () => {
    const message = Buffer.from('hello');
    const read = unaryMessage(framed(message));
    expect(read).toEqual({ ok: true, compressed: false, message });
    expect(unaryMessage(Buffer.from([2, 0, 0, 0, 0]))).toMatchObject({ ok: false, status: GrpcStatus.INTERNAL });
  });
});
