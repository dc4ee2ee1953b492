/**
 * Re-sending the same pre-encoded batches would re-deliver the same spans, which a trace store
 * rightly treats as duplicates of traces it already has, and would replay the same moment over
 * and over, which no mesh does. So each time a batch is sent again its trace ids get a new
 * prefix and its timestamps move forward by the time the whole data set covers, written in
 * place at offsets found once: every round of sends is fresh traffic, at no encoding cost.
 */

/** Where one timestamp sits in a body. */
interface TimeField {
  readonly at: number;
  readonly value: bigint;
}

export interface StampableBody {
  readonly body: Buffer;
  /** Where each trace id starts in the body. */
  readonly offsets: number[];
  /** Trace ids and timestamps are text (JSON) rather than raw bytes (protobuf). */
  readonly text: boolean;
  readonly times: TimeField[];
  /** How far each round moves the timestamps, in the body's own time unit. */
  readonly shift: bigint;
  sends: number;
}

/** Timestamps as sent, in the body's unit: decimal text or fixed64 little-endian. */
export interface BodyTimes {
  readonly values: readonly bigint[];
  readonly shift: bigint;
}

function findTimes(body: Buffer, text: boolean, values: readonly bigint[]): TimeField[] {
  const out: TimeField[] = [];
  for (const value of new Set(values)) {
    let needle: Buffer;
    if (text) needle = Buffer.from(value.toString());
    else {
      needle = Buffer.alloc(8);
      needle.writeBigUInt64LE(value);
    }
    for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, at + 1)) {
      // In JSON, only a whole number (not digits inside a longer one) is this timestamp.
      if (text && (isDigit(body[at - 1]) || isDigit(body[at + needle.length]))) continue;
      out.push({ at, value });
    }
  }
  return out;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

export function stampable(body: Buffer, traceIds: readonly string[], text: boolean, times?: BodyTimes): StampableBody {
  const offsets: number[] = [];
  for (const id of new Set(traceIds)) {
    const needle = text ? Buffer.from(id) : Buffer.from(id, 'hex');
    for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, at + 1)) offsets.push(at);
  }
  const found = times === undefined ? [] : findTimes(body, text, times.values);
  return { body, offsets, text, times: found, shift: times?.shift ?? 0n, sends: 0 };
}

/** The body with this send's round stamped into its trace ids (first 32 bits) and timestamps. */
export function nextSend(s: StampableBody): Buffer {
  const round = s.sends++;
  if (round > 0) {
    const hex = (round & 0x7fffffff).toString(16).padStart(8, '0');
    for (const at of s.offsets) {
      if (s.text) s.body.write(hex, at, 'latin1');
      else s.body.writeUInt32BE(round & 0x7fffffff, at);
    }
    const shift = s.shift * BigInt(round);
    for (const t of s.times) {
      // Decimal timestamps keep their width: 16 digits of µs (or 19 of ns) last for centuries.
      if (s.text) s.body.write((t.value + shift).toString(), t.at, 'latin1');
      else s.body.writeBigUInt64LE(t.value + shift, t.at);
    }
  }
  return s.body;
}

/** Round-robin over the bodies, stamping each as it is sent. */
export function roundRobin(bodies: StampableBody[]): () => Buffer {
  let i = 0;
  return () => nextSend(bodies[i++ % bodies.length]!);
}
