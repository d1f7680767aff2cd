import type { Signal } from './signal';

/** Maximum size of one signal, in bytes of its UTF-8 JSON encoding (256 KiB). */
export const MAX_SIGNAL_BYTES = 256 * 1024;

/** Measures a signal as the bytes of its UTF-8 JSON encoding. */
export function encodedSize(signal: Signal): number {
  return Buffer.byteLength(JSON.stringify(signal), 'utf8');
}
