import { readProcessMemory, type ProcessMemory } from './proc-status';
import type { TrackedChild } from './process-group';

/**
 * Describes the first child that exited, or returns `undefined` while all run.
 */
export function describeFirstExit(
  children: readonly TrackedChild[],
): string | undefined {
  const exited = children.find((child) => child.exit);
  if (!exited?.exit) return undefined;
  const how = exited.exit.signal ?? `code ${exited.exit.code}`;
  return `${exited.name} exited (${how}): ${exited.outputTail.slice(-5).join(' | ')}`;
}

/** Reads the memory of each child still running, by child name. */
export function readMemoryOf(
  children: readonly TrackedChild[],
): Record<string, ProcessMemory> {
  const memory: Record<string, ProcessMemory> = {};
  for (const child of children) {
    const figures = readProcessMemory(child.pid);
    if (figures) memory[child.name] = figures;
  }
  return memory;
}
