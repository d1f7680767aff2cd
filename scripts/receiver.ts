/**
 * `npm run receiver`: a webhook receiver for trying Signalpost locally. It
 * listens on 127.0.0.1 (RECEIVER_PORT, default 9000), prints each delivery,
 * and checks its Standard Webhooks signature when RECEIVER_SECRET is set.
 * RECEIVER_STATUS (default 200) sets the status it responds with, to try
 * retries (500) or dead letters (400), and RECEIVER_DELAY_MS (default 0)
 * how long it waits before responding, to try `maxInFlight` or timeouts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

const port = readInteger('RECEIVER_PORT', 9000, 1, 65535);
const secret = process.env.RECEIVER_SECRET;
const status = readInteger('RECEIVER_STATUS', 200, 200, 599);
const delayMs = readInteger('RECEIVER_DELAY_MS', 0, 0, 3_600_000);

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const verdict = secret
      ? verify(request.headers, body, secret)
      : 'not checked (set RECEIVER_SECRET)';
    process.stdout.write(
      `${new Date().toISOString()} ${request.method} ${request.url}\n` +
        `  webhook-id:  ${String(request.headers['webhook-id'])}\n` +
        `  delivery-id: ${String(request.headers['x-signalpost-delivery-id'])}\n` +
        `  signature:   ${verdict}\n` +
        `  body:        ${body.toString('utf8')}\n` +
        `  responded:   ${status}\n\n`,
    );
    const respond = (): void => {
      response
        .writeHead(status, { 'content-type': 'text/plain' })
        .end(status < 300 ? 'ok' : 'failing on purpose');
    };
    if (delayMs > 0) setTimeout(respond, delayMs);
    else respond();
  });
});

server.once('error', (error: NodeJS.ErrnoException) => {
  const reason =
    error.code === 'EADDRINUSE'
      ? `port ${port} is in use: stop what uses it, or set RECEIVER_PORT`
      : error.message;
  process.stderr.write(
    `receiver failed to listen on 127.0.0.1:${port}: ${reason}\n`,
  );
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`receiver listening on http://127.0.0.1:${port}\n`);
});

/** Reads a whole-number setting, or exits with a message naming it. */
function readInteger(
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = process.env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  process.stderr.write(
    `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}\n`,
  );
  process.exit(1);
}

function verify(
  headers: http.IncomingHttpHeaders,
  body: Buffer,
  whsec: string,
): string {
  const header = headers['webhook-signature'];
  if (header === undefined) return 'none (the target has no secret)';
  const id = String(headers['webhook-id'] ?? '');
  const timestamp = String(headers['webhook-timestamp'] ?? '');
  const signatures = String(header).split(' ');
  const key = Buffer.from(whsec.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest();
  const valid = signatures.some((entry) => {
    const [version, value] = entry.split(',', 2);
    const given = Buffer.from(value ?? '', 'base64');
    return (
      version === 'v1' &&
      given.length === expected.length &&
      timingSafeEqual(given, expected)
    );
  });
  return valid ? 'valid' : 'INVALID';
}
