/** One pod's root calls and what each was resolved to, column by column (see `columns.ts` for why). */
import { Float64Column, Int8Column, RefColumn, StartOrderedColumns } from './columns.js';
import { IdColumn, SPAN_ID, TRACE_ID, UUID } from './id-column.js';
import type { OutboundObservation, WorkloadKey } from './observations.js';
import type { RootClass, RootResolution } from './resolve.js';

/** A root call as read from the columns. */
export interface RootRecord {
  /** Tells roots of one pod apart (their index changes as they are sorted and pruned). */
  readonly seq: number;
  readonly call: OutboundObservation;
  /** `call.startUs`. */
  readonly startUs: number;
  /** Undefined until resolved. */
  readonly resolution: RootResolution | undefined;
}

const CLASSES: readonly (RootClass | undefined)[] = [undefined, 'confirmed', 'inferred', 'unattributed'];
const CLASS_CODE: Readonly<Record<RootClass, number>> = { confirmed: 1, inferred: 2, unattributed: 3 };

export class RootColumns extends StartOrderedColumns {
  readonly #end: Float64Column;
  readonly #seq: Float64Column;
  readonly traceIds: IdColumn;
  readonly #spanIds: IdColumn;
  readonly requestIds: IdColumn;
  readonly #workloads: RefColumn<WorkloadKey>;
  readonly #callees: RefColumn<string>;
  /** 0 while unresolved, else the index of its class in `CLASSES`. */
  readonly #class: Int8Column;
  readonly #choice: Float64Column;
  readonly #parentTraceIds: IdColumn;
  readonly #parentSpanIds: IdColumn;
  /** `seq` of the window the root was attributed to, or -1. */
  readonly #parentWindows: Float64Column;
  #nextSeq = 0;

  constructor() {
    const columns = {
      end: new Float64Column(0), seq: new Float64Column(0), traceIds: new IdColumn(TRACE_ID), spanIds: new IdColumn(SPAN_ID),
      requestIds: new IdColumn(UUID), workloads: new RefColumn<WorkloadKey>(), callees: new RefColumn<string>(),
      class: new Int8Column(0), choice: new Float64Column(0),
      parentTraceIds: new IdColumn(TRACE_ID), parentSpanIds: new IdColumn(SPAN_ID), parentWindows: new Float64Column(0),
    };
    super(Object.values(columns));
    this.#end = columns.end;
    this.#seq = columns.seq;
    this.traceIds = columns.traceIds;
    this.#spanIds = columns.spanIds;
    this.requestIds = columns.requestIds;
    this.#workloads = columns.workloads;
    this.#callees = columns.callees;
    this.#class = columns.class;
    this.#choice = columns.choice;
    this.#parentTraceIds = columns.parentTraceIds;
    this.#parentSpanIds = columns.parentSpanIds;
    this.#parentWindows = columns.parentWindows;
  }

  /** Adds a root call, unresolved; returns its sequence number. */
  push(call: OutboundObservation): number {
    const i = this.append(call.startUs);
    const seq = this.#nextSeq++;
    this.#end.values[i] = call.endUs;
    this.#seq.values[i] = seq;
    this.traceIds.set(i, call.traceId);
    this.#spanIds.set(i, call.spanId);
    this.requestIds.set(i, call.requestId);
    this.#workloads.values[i] = call.workload;
    this.#callees.values[i] = call.callee;
    this.#class.values[i] = 0;
    this.#choice.values[i] = 0;
    this.#parentTraceIds.set(i, undefined);
    this.#parentSpanIds.set(i, undefined);
    this.#parentWindows.values[i] = -1;
    return seq;
  }

  seq(i: number): number {
    return this.#seq.values[i]!;
  }

  resolved(i: number): boolean {
    return this.#class.values[i] !== 0;
  }

  callee(i: number): string {
    return this.#callees.values[i]!;
  }

  workload(i: number): WorkloadKey {
    return this.#workloads.values[i]!;
  }

  /** What the root was resolved to; undefined while unresolved. */
  kind(i: number): RootClass | undefined {
    return CLASSES[this.#class.values[i]!];
  }

  /** `choiceProbability` of its resolution. */
  choiceProbability(i: number): number {
    return this.#choice.values[i]!;
  }

  endUs(i: number): number {
    return this.#end.values[i]!;
  }

  /** `seq` of the window the root was attributed to, or -1. */
  parentWindow(i: number): number {
    return this.#parentWindows.values[i]!;
  }

  /** Records what the root was resolved to; `parentWindow` is the `seq` of `r.parent`'s window (-1: none). */
  setResolution(i: number, r: RootResolution, parentWindow: number): void {
    this.#parentWindows.values[i] = parentWindow;
    this.#class.values[i] = CLASS_CODE[r.kind];
    this.#choice.values[i] = r.choiceProbability;
    this.#parentTraceIds.set(i, r.parent?.traceId);
    this.#parentSpanIds.set(i, r.parent?.spanId);
  }

  /** The call of the `i`-th root, made by `pod` (a new object each call). */
  call(i: number, pod: string): OutboundObservation {
    return {
      traceId: this.traceIds.get(i)!, spanId: this.#spanIds.get(i)!, pod, workload: this.#workloads.values[i]!,
      callee: this.#callees.values[i]!, startUs: this.startUs(i), endUs: this.#end.values[i]!, requestId: this.requestIds.get(i),
      root: true, delayUs: undefined, tailUs: undefined,
    };
  }

  resolution(i: number): RootResolution | undefined {
    const kind = CLASSES[this.#class.values[i]!];
    if (kind === undefined) return undefined;
    const traceId = this.#parentTraceIds.get(i);
    const spanId = this.#parentSpanIds.get(i);
    return { kind, parent: traceId === undefined || spanId === undefined ? undefined : { traceId, spanId }, choiceProbability: this.#choice.values[i]! };
  }

  /** The `i`-th root as a record (a new object each call). */
  at(i: number, pod: string): RootRecord {
    return { seq: this.#seq.values[i]!, call: this.call(i, pod), startUs: this.startUs(i), resolution: this.resolution(i) };
  }
}
