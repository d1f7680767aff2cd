import { createHash } from 'node:crypto';
import http from 'node:http';

/** One webhook request as the receiver saw it. */
export interface Arrival {
  readonly deliveryId: string;
  readonly webhookId: string;
  /** The `id` of the signal in the JSON body. */
  readonly signalId: string;
  /** How many requests of this delivery arrived before this one. */
  readonly previousArrivals: number;
  readonly at: number;
  /** The status sent back; undefined until the response is written. */
  status?: number;
  /** Whether the response was written out before the sender went away. */
  responded: boolean;
}

/** How the receiver responds to one request. */
export type ReceiverResponse =
  | { readonly status: number; readonly delayMs?: number }
  /** Keeps the request open until {@link FaultReceiver.releaseHeld}. */
  | { readonly hold: true };

/** Decides the response to a request from what it carries. */
export type ReceiverPlan = (arrival: Arrival) => ReceiverResponse;

/** Per delivery id: what arrived and how often the receiver responded 2xx. */
export interface DeliverySighting {
  readonly webhookIds: Set<string>;
  readonly signalIds: Set<string>;
  arrivals: number;
  successes: number;
}

/** Fails a deterministic share of the requests with 500; responds 200 to the rest. */
export function failShare(ratio: number): ReceiverPlan {
  return (arrival) =>
    hashShare(`${arrival.deliveryId}\0${arrival.previousArrivals}`) < ratio
      ? { status: 500 }
      : { status: 200 };
}

/**
 * Maps a string to a number in [0, 1) from its SHA-256, so a run is
 * repeatable: the same delivery fails on the same attempts every time.
 */
export function hashShare(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * A webhook target on 127.0.0.1 that records every request's `webhook-id`,
 * `x-signalpost-delivery-id` and body id, and responds as its plan decides.
 */
export class FaultReceiver {
  readonly arrivals: Arrival[] = [];
  readonly deliveries = new Map<string, DeliverySighting>();
  private readonly held = new Set<() => void>();
  private readonly server: http.Server;
  private port = 0;

  private constructor(private plan: ReceiverPlan) {
    this.server = http.createServer((request, response) =>
      this.handle(request, response),
    );
    this.server.keepAliveTimeout = 30_000;
  }

  /** Starts a receiver on an ephemeral loopback port. */
  static async start(plan: ReceiverPlan): Promise<FaultReceiver> {
    const receiver = new FaultReceiver(plan);
    await new Promise<void>((resolve) =>
      receiver.server.listen(0, '127.0.0.1', resolve),
    );
    const address = receiver.server.address();
    receiver.port = typeof address === 'object' && address ? address.port : 0;
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Replaces the plan for the requests that arrive from now on. */
  respondWith(plan: ReceiverPlan): void {
    this.plan = plan;
  }

  /** Requests held open right now. */
  get heldCount(): number {
    return this.held.size;
  }

  /** Responds 200 to every held request. */
  releaseHeld(): void {
    const pending = [...this.held];
    this.held.clear();
    for (const release of pending) release();
  }

  /** Ids of the deliveries the receiver responded 2xx to at least once. */
  deliveredIds(): Set<string> {
    const ids = new Set<string>();
    for (const [id, sighting] of this.deliveries)
      if (sighting.successes > 0) ids.add(id);
    return ids;
  }

  /** Counts the 2xx responses beyond the first per delivery id. */
  duplicateCount(): number {
    let duplicates = 0;
    for (const sighting of this.deliveries.values())
      duplicates += Math.max(0, sighting.successes - 1);
    return duplicates;
  }

  async close(): Promise<void> {
    this.releaseHeld();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const arrival = this.record(request, Buffer.concat(chunks));
      this.respond(arrival, this.plan(arrival), response);
    });
  }

  private record(request: http.IncomingMessage, body: Buffer): Arrival {
    const deliveryId = headerOf(request, 'x-signalpost-delivery-id');
    const sighting = this.sightingOf(deliveryId);
    const arrival: Arrival = {
      deliveryId,
      webhookId: headerOf(request, 'webhook-id'),
      signalId: bodyId(body),
      previousArrivals: sighting.arrivals,
      at: Date.now(),
      responded: false,
    };
    sighting.arrivals += 1;
    sighting.webhookIds.add(arrival.webhookId);
    sighting.signalIds.add(arrival.signalId);
    this.arrivals.push(arrival);
    return arrival;
  }

  private sightingOf(deliveryId: string): DeliverySighting {
    let sighting = this.deliveries.get(deliveryId);
    if (!sighting) {
      sighting = {
        webhookIds: new Set(),
        signalIds: new Set(),
        arrivals: 0,
        successes: 0,
      };
      this.deliveries.set(deliveryId, sighting);
    }
    return sighting;
  }

  private respond(
    arrival: Arrival,
    decision: ReceiverResponse,
    response: http.ServerResponse,
  ): void {
    const send = (status: number): void => {
      if (response.destroyed) return;
      arrival.status = status;
      response.once('finish', () => {
        arrival.responded = true;
        if (status >= 200 && status < 300)
          this.sightingOf(arrival.deliveryId).successes += 1;
      });
      response.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    };
    if ('hold' in decision) {
      const release = (): void => send(200);
      this.held.add(release);
      response.once('close', () => this.held.delete(release));
      return;
    }
    if (decision.delayMs)
      setTimeout(() => send(decision.status), decision.delayMs);
    else send(decision.status);
  }
}

function headerOf(request: http.IncomingMessage, name: string): string {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function bodyId(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : '';
  } catch {
    return '';
  }
}
