/** Type of the IPC message that requests a probed app's counters. */
export const PROBE_REQUEST = 'signalpost-bench-probe-request';

/** Type of the IPC message that carries a probed app's counters. */
export const PROBE_REPLY = 'signalpost-bench-probe-reply';

/** Counters of one probed process since it started. */
export interface ProbeSnapshot {
  readonly jsonParseCalls: number;
  /** Characters of the strings given to `JSON.parse`. */
  readonly jsonParseChars: number;
  readonly jsonStringifyCalls: number;
  /** Characters of the strings `JSON.stringify` returned. */
  readonly jsonStringifyChars: number;
  /** V8 heap bytes allocated: bytes freed by each GC plus the heap's growth. */
  readonly allocatedBytes: number;
  readonly gcCount: number;
  readonly gcPauseMs: number;
  /** User plus system CPU time of the process. */
  readonly cpuMs: number;
}
