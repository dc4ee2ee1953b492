/**
 * Re-sending the same pre-encoded batches would re-deliver the same spans, which a trace store
 * rightly treats as duplicates of traces it already has. So each time a batch is sent again its
 * trace ids get a new prefix, written in place at offsets found once: every round of sends is a
 * fresh set of traces, at no encoding cost.
 */

export interface StampableBody {
  readonly body: Buffer;
  /** Where each trace id starts in the body. */
  readonly offsets: number[];
  /** Trace ids are hex text (JSON) rather than raw bytes (protobuf). */
  readonly text: boolean;
  sends: number;
}

export function stampable(body: Buffer, traceIds: readonly string[], text: boolean): StampableBody {
  const offsets: number[] = [];
  for (const id of new Set(traceIds)) {
    const needle = text ? Buffer.from(id) : Buffer.from(id, 'hex');
    for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, at + 1)) offsets.push(at);
  }
  return { body, offsets, text, sends: 0 };
}

/** The body with this send's round number stamped into the first 32 bits of every trace id. */
export function nextSend(s: StampableBody): Buffer {
  const round = s.sends++;
  if (round > 0) {
    const hex = (round & 0x7fffffff).toString(16).padStart(8, '0');
    for (const at of s.offsets) {
      if (s.text) s.body.write(hex, at, 'latin1');
      else s.body.writeUInt32BE(round & 0x7fffffff, at);
    }
  }
  return s.body;
}

/** Round-robin over the bodies, stamping each as it is sent. */
export function roundRobin(bodies: StampableBody[]): () => Buffer {
  let i = 0;
  return () => nextSend(bodies[i++ % bodies.length]!);
}
