/** One pod's inbound request windows, column by column (see `columns.ts` for why). */
import { Float64Column, Int32Column, RefColumn, StartOrderedColumns } from './columns.js';
import { IdColumn, SPAN_ID, TRACE_ID, UUID } from './id-column.js';
import type { InboundObservation, WorkloadKey } from './observations.js';

export class WindowColumns extends StartOrderedColumns {
  readonly #end: Float64Column;
  readonly #children: Int32Column;
  readonly traceIds: IdColumn;
  readonly #spanIds: IdColumn;
  readonly requestIds: IdColumn;
  /** Tells windows apart (their index changes as they are sorted and pruned). */
  readonly #seq: Float64Column;
  #nextSeq = 0;
  readonly #workloads: RefColumn<WorkloadKey>;

  constructor() {
    const end = new Float64Column(0);
    const children = new Int32Column(0);
    const traceIds = new IdColumn(TRACE_ID);
    const spanIds = new IdColumn(SPAN_ID);
    const requestIds = new IdColumn(UUID);
    const workloads = new RefColumn<WorkloadKey>();
    const seq = new Float64Column(0);
    super([end, children, traceIds, spanIds, requestIds, workloads, seq]);
    this.#seq = seq;
    this.#end = end;
    this.#children = children;
    this.traceIds = traceIds;
    this.#spanIds = spanIds;
    this.requestIds = requestIds;
    this.#workloads = workloads;
  }

  push(o: InboundObservation): void {
    const i = this.append(o.startUs);
    this.#end.values[i] = o.endUs;
    this.#children.values[i] = o.outboundChildren;
    this.#seq.values[i] = this.#nextSeq++;
    this.traceIds.set(i, o.traceId);
    this.#spanIds.set(i, o.spanId);
    this.requestIds.set(i, o.requestId);
    this.#workloads.values[i] = o.workload;
  }

  endUs(i: number): number {
    return this.#end.values[i]!;
  }

  outboundChildren(i: number): number {
    return this.#children.values[i]!;
  }

  seq(i: number): number {
    return this.#seq.values[i]!;
  }

  /** The `i`-th window's trace and span ids. */
  ref(i: number): { traceId: string; spanId: string } {
    return { traceId: this.traceIds.get(i)!, spanId: this.#spanIds.get(i)! };
  }

  workload(i: number): WorkloadKey {
    return this.#workloads.values[i]!;
  }

  /** The `i`-th window as an observation of `pod` (a new object each call). */
  at(i: number, pod: string): InboundObservation {
    return {
      traceId: this.traceIds.get(i)!, spanId: this.#spanIds.get(i)!, pod, workload: this.#workloads.values[i]!,
      startUs: this.startUs(i), endUs: this.#end.values[i]!, requestId: this.requestIds.get(i), outboundChildren: this.#children.values[i]!,
    };
  }
}
