import net from 'node:net';

/** Defaults of {@link sendRawHttp}. */
export const RAW_HTTP_DEFAULTS = Object.freeze({
  /**
   * Time to wait for the server to respond and close the connection.
   * @defaultValue 10000
   */
  timeoutMs: 10_000,
});

/** A response read off the socket by {@link sendRawHttp}. */
export interface RawHttpResponse {
  readonly status: number;
  /** Header names in lower case. A repeated header keeps every value. */
  readonly headers: Readonly<Record<string, string[]>>;
  /** Body bytes, with chunked transfer coding removed. */
  readonly body: Buffer;
}

/**
 * Sends `request` as raw bytes to a server on 127.0.0.1 and reads the
 * response until the server closes the connection. The caller writes the
 * request line and headers, so it can send what `fetch` would refuse:
 * duplicate headers, trailing whitespace and bytes that are not UTF-8.
 * Send `connection: close`, or the read lasts until the timeout.
 *
 * @throws Error when the server closes without a status line, or when no
 *   complete response arrives within `timeoutMs`
 */
export function sendRawHttp(
  port: number,
  request: Buffer,
  timeoutMs: number = RAW_HTTP_DEFAULTS.timeoutMs,
): Promise<RawHttpResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response within ${timeoutMs} ms`));
    }, timeoutMs);

    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A server may reset the connection after it has sent its response.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error as Error);
      }
    });
    socket.write(request);
  });
}

/** Joins a request line, header lines and a body with CRLF line ends. */
export function rawRequest(
  requestLine: string,
  headerLines: readonly string[],
  body: Buffer = Buffer.alloc(0),
): Buffer {
  const head = [requestLine, ...headerLines, '', ''].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

function parseResponse(bytes: Buffer): RawHttpResponse {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd < 0) {
    throw new Error(
      `the server closed the connection without a response head after ${bytes.length} bytes`,
    );
  }

  const [statusLine = '', ...headerLines] = bytes
    .subarray(0, headEnd)
    .toString('latin1')
    .split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) {
    throw new Error(`invalid status line ${JSON.stringify(statusLine)}`);
  }

  const headers: Record<string, string[]> = {};
  for (const line of headerLines) {
    const separator = line.indexOf(':');
    const name = line.slice(0, separator).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(separator + 1).trim());
  }
  const rawBody = bytes.subarray(headEnd + 4);
  const chunked = headers['transfer-encoding']?.includes('chunked') === true;
  return { status, headers, body: chunked ? dechunk(rawBody) : rawBody };
}

function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  // Each round consumes one chunk, so the loop ends within bytes.length rounds.
  while (offset < bytes.length) {
    const lineEnd = bytes.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(bytes.subarray(offset, lineEnd).toString(), 16);
    if (!(size > 0)) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
