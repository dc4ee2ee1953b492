/**
 * The ids of held observations, as small integers. After its times, an observation's most
 * numerous objects were its id strings: a span id of its own, and a trace id and an Envoy request
 * id shared with the few other observations of its trace. The store lets go of those strings
 * when it evicts the trace; the audit holds on for its own retention, and a full collection of
 * the server's heap visits every one. Held observations keep each id as 32-bit words instead
 * (signed, so V8 stores each as a small integer in the object) and make the string only when a
 * report shows it.
 *
 * An id of another form (the decoders never make a span or trace id that is not lowercase hex;
 * applications may set any `x-request-id`) is held as its string in the first word, the others
 * 0. A string in that field costs nothing extra: V8 holds it as it holds any reference.
 */

/** A word holding the id itself: an id not in the form its words are made for. */
type Word0 = number | string;

function isLowerHex(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** 8 lowercase hex digits from `from` as a signed 32-bit integer. */
function hexWord(text: string, from: number): number {
  let word = 0;
  for (let i = from; i < from + 8; i++) {
    const c = text.charCodeAt(i);
    word = (word << 4) | (c <= 0x39 ? c - 0x30 : c - 0x57);
  }
  return word;
}

/** Two groups of 4 lowercase hex digits (a UUID's middle groups) as one word. */
function hexHalves(text: string, first: number, second: number): number {
  let word = 0;
  for (let i = first; i < first + 4; i++) word = (word << 4) | hexDigit(text.charCodeAt(i));
  for (let i = second; i < second + 4; i++) word = (word << 4) | hexDigit(text.charCodeAt(i));
  return word;
}

function hexDigit(c: number): number {
  return c <= 0x39 ? c - 0x30 : c - 0x57;
}

function hexOfWord(word: number): string {
  return (word >>> 0).toString(16).padStart(8, '0');
}

/** A span id's first word: 16 lowercase hex digits, or the id itself. */
export function spanIdWord0(id: string): Word0 {
  return id.length === 16 && isLowerHex(id, 0, 16) ? hexWord(id, 0) : id;
}

/** A span id's second word, given its first. */
export function spanIdWord1(id: string, word0: Word0): number {
  return typeof word0 === 'string' ? 0 : hexWord(id, 8);
}

export function spanIdOf(word0: Word0, word1: number): string {
  return typeof word0 === 'string' ? word0 : hexOfWord(word0) + hexOfWord(word1);
}

/** A trace id's first word: 32 lowercase hex digits, or the id itself. */
export function traceIdWord0(id: string): Word0 {
  return id.length === 32 && isLowerHex(id, 0, 32) ? hexWord(id, 0) : id;
}

/** A trace id's word `n` (1-3), given its first. */
export function traceIdWord(id: string, word0: Word0, n: 1 | 2 | 3): number {
  return typeof word0 === 'string' ? 0 : hexWord(id, 8 * n);
}

export function traceIdOf(word0: Word0, word1: number, word2: number, word3: number): string {
  return typeof word0 === 'string' ? word0 : hexOfWord(word0) + hexOfWord(word1) + hexOfWord(word2) + hexOfWord(word3);
}

/** Whether `id` is a lowercase UUID (`8-4-4-4-12` hex digits), the form Envoy generates. */
function isLowerUuid(id: string): boolean {
  return id.length === 36 && id.charCodeAt(8) === 0x2d && id.charCodeAt(13) === 0x2d && id.charCodeAt(18) === 0x2d
    && id.charCodeAt(23) === 0x2d && isLowerHex(id, 0, 8) && isLowerHex(id, 9, 13) && isLowerHex(id, 14, 18)
    && isLowerHex(id, 19, 23) && isLowerHex(id, 24, 36);
}

/** A request id's first word: a lowercase UUID's first 8 digits, the id itself, or undefined for none. */
export function requestIdWord0(id: string | undefined): Word0 | undefined {
  if (id === undefined) return undefined;
  return isLowerUuid(id) ? hexWord(id, 0) : id;
}

/** A request id's word `n` (1-3), given its first. */
export function requestIdWord(id: string | undefined, word0: Word0 | undefined, n: 1 | 2 | 3): number {
  if (typeof word0 !== 'number') return 0;
  const text = id!;
  if (n === 1) return hexHalves(text, 9, 14);
  return n === 2 ? hexHalves(text, 19, 24) : hexWord(text, 28);
}

export function requestIdOf(word0: Word0 | undefined, word1: number, word2: number, word3: number): string | undefined {
  if (typeof word0 !== 'number') return word0;
  const digits = hexOfWord(word0) + hexOfWord(word1) + hexOfWord(word2) + hexOfWord(word3);
  return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`;
}

/** The trace and request id words of a held observation (see held-times.ts for the prototype reading them). */
export interface HeldIdWords {
  readonly trace0: Word0;
  readonly trace1: number;
  readonly trace2: number;
  readonly trace3: number;
  readonly request0: Word0 | undefined;
  readonly request1: number;
  readonly request2: number;
  readonly request3: number;
}

function held(o: object): o is HeldIdWords {
  return (o as Partial<HeldIdWords>).trace0 !== undefined;
}

/** Whether two observations are of one trace; compares words when both are held, so no string is made. */
export function sameTrace(a: { readonly traceId: string }, b: { readonly traceId: string }): boolean {
  if (held(a) && held(b)) return a.trace0 === b.trace0 && a.trace1 === b.trace1 && a.trace2 === b.trace2 && a.trace3 === b.trace3;
  return a.traceId === b.traceId;
}

/** Whether two observations carry the same request id (both must have one). */
export function sameRequest(a: { readonly requestId: string | undefined }, b: { readonly requestId: string | undefined }): boolean {
  if (held(a) && held(b)) {
    return a.request0 !== undefined && a.request0 === b.request0 && a.request1 === b.request1 && a.request2 === b.request2 && a.request3 === b.request3;
  }
  return a.requestId !== undefined && a.requestId === b.requestId;
}

/**
 * Envoy's sampling value (0-9999) of a request id held as words, or -1: Envoy marks a sampled
 * request by setting its UUID's version digit (the first of the third group) to 9, and takes the
 * value from the first 8 digits. Undefined when the id is not held as words; ask the string then.
 */
export function heldSamplingValue(o: object): number | undefined {
  const words = o as Partial<HeldIdWords>;
  if (typeof words.request0 !== 'number') return undefined;
  return ((words.request1! >>> 12) & 0xf) === 9 ? (words.request0 >>> 0) % 10_000 : -1;
}
