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

const port = Number(process.env.RECEIVER_PORT ?? 9000);
const secret = process.env.RECEIVER_SECRET;
const status = Number(process.env.RECEIVER_STATUS ?? 200);
const delayMs = Number(process.env.RECEIVER_DELAY_MS ?? 0);
if (!Number.isFinite(delayMs) || delayMs < 0) {
  process.stderr.write(
    `RECEIVER_DELAY_MS must be a number of ms of at least 0, got ${process.env.RECEIVER_DELAY_MS}\n`,
  );
  process.exit(1);
}

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

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`receiver listening on http://127.0.0.1:${port}\n`);
});

function verify(
  headers: http.IncomingHttpHeaders,
  body: Buffer,
  whsec: string,
): string {
  const id = String(headers['webhook-id'] ?? '');
  const timestamp = String(headers['webhook-timestamp'] ?? '');
  const signatures = String(headers['webhook-signature'] ?? '').split(' ');
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
