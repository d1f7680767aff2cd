import { readFileSync } from 'node:fs';

/** Memory figures of one process from `/proc/<pid>/status`, in KiB. */
export interface ProcessMemory {
  /** Resident set size now (`VmRSS`). */
  readonly rssKiB: number;
  /** Peak resident set size since the process started (`VmHWM`). */
  readonly peakRssKiB: number;
}

/**
 * Reads the memory figures of a process on Linux. Returns `undefined` when
 * the process is gone or the file has no such lines (another kernel).
 */
export function readProcessMemory(pid: number): ProcessMemory | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStatus(text);
}

/** Parses `VmRSS` and `VmHWM` out of the text of `/proc/<pid>/status`. */
export function parseProcStatus(text: string): ProcessMemory | undefined {
  const rssKiB = readKiB(text, 'VmRSS');
  const peakRssKiB = readKiB(text, 'VmHWM');
  if (rssKiB === undefined || peakRssKiB === undefined) return undefined;
  return { rssKiB, peakRssKiB };
}

function readKiB(text: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}
