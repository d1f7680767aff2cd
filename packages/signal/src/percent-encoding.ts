const PERCENT_ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
const SPACE = 0x20;
const TILDE = 0x7e;
const UNSAFE_PRINTABLE = new Set([0x22, 0x25]);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Percent-encodes a header value as the CloudEvents HTTP binding requires:
 * space, `"`, `%` and every byte outside printable ASCII become `%XX` of
 * the UTF-8 bytes. The result is printable ASCII, so it cannot end a header.
 */
export function encodeHeaderValue(value: string): string {
  let encoded = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    encoded += isSafeByte(byte)
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/**
 * Decodes the `%XX` escapes of a header value as UTF-8. A `%` that does not
 * start an escape is kept as it is, because the official CloudEvents
 * JavaScript SDK (10.0) sends values without encoding them. Returns
 * undefined when the escapes do not decode to valid UTF-8.
 */
export function decodeHeaderValue(value: string): string | undefined {
  let isValid = true;
  const decoded = value.replace(PERCENT_ESCAPE_RUN, (run) => {
    try {
      return strictUtf8.decode(Buffer.from(run.replaceAll('%', ''), 'hex'));
    } catch {
      isValid = false;
      return run;
    }
  });
  return isValid ? decoded : undefined;
}

function isSafeByte(byte: number): boolean {
  return byte > SPACE && byte <= TILDE && !UNSAFE_PRINTABLE.has(byte);
}
