/**
 * Loaded into an app with `--import` when the benchmark measures costs: it
 * counts `JSON.parse` and `JSON.stringify` calls, heap bytes allocated and
 * CPU time, and sends them over the IPC channel when asked. The wrappers
 * add work of their own, so this runs only in the untimed cost
 * measurement.
 */
import { GCProfiler } from 'node:v8';
import {
  PROBE_REPLY,
  PROBE_REQUEST,
  type ProbeSnapshot,
} from './probe-protocol';

const counters = {
  jsonParseCalls: 0,
  jsonParseChars: 0,
  jsonStringifyCalls: 0,
  jsonStringifyChars: 0,
  freedBytes: 0,
  gcCount: 0,
  gcPauseMs: 0,
};
const originalParse = JSON.parse;
const originalStringify = JSON.stringify;
const heapUsedAtStart = process.memoryUsage().heapUsed;
let profiler = new GCProfiler();

JSON.parse = function countedParse(text: string, reviver?) {
  counters.jsonParseCalls += 1;
  counters.jsonParseChars += typeof text === 'string' ? text.length : 0;
  return originalParse(text, reviver);
} as typeof JSON.parse;

JSON.stringify = function countedStringify(
  value: unknown,
  replacer?: Parameters<typeof JSON.stringify>[1],
  space?: string | number,
) {
  const text = originalStringify(value, replacer as undefined, space);
  counters.jsonStringifyCalls += 1;
  counters.jsonStringifyChars += typeof text === 'string' ? text.length : 0;
  return text;
} as typeof JSON.stringify;

profiler.start();
process.on('message', (message: { type?: unknown }) => {
  if (message?.type !== PROBE_REQUEST) return;
  process.send?.({ type: PROBE_REPLY, snapshot: takeSnapshot() });
});

// NOTE: GCProfiler reports each collection only when stopped, so each
// snapshot stops it, adds up what it saw, and starts a new one. A
// collection between the two calls is missed, which undercounts a little.
function takeSnapshot(): ProbeSnapshot {
  const report = profiler.stop();
  profiler = new GCProfiler();
  profiler.start();
  for (const entry of report?.statistics ?? []) {
    counters.freedBytes +=
      entry.beforeGC.heapStatistics.usedHeapSize -
      entry.afterGC.heapStatistics.usedHeapSize;
    counters.gcCount += 1;
    counters.gcPauseMs += entry.cost / 1000;
  }
  const cpu = process.cpuUsage();
  return {
    jsonParseCalls: counters.jsonParseCalls,
    jsonParseChars: counters.jsonParseChars,
    jsonStringifyCalls: counters.jsonStringifyCalls,
    jsonStringifyChars: counters.jsonStringifyChars,
    allocatedBytes:
      counters.freedBytes + process.memoryUsage().heapUsed - heapUsedAtStart,
    gcCount: counters.gcCount,
    gcPauseMs: counters.gcPauseMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}
