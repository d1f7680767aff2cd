import { Pool } from 'undici';

/** Connections the client keeps open to the API. */
const API_CONNECTIONS = 64;

/** Limit on each wait for the API, so no request of the load hangs a run. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Media type of a batch publish. */
const BATCH_MEDIA_TYPE = 'application/cloudevents-batch+json';

/** Outcome of one request to the API. */
export interface ApiReply {
  readonly status: number;
  readonly body: string;
}

/** A small client of the Signalpost HTTP API for the benchmark's load. */
export class ApiClient {
  private readonly pool: Pool;

  constructor(
    baseUrl: string,
    private readonly apiKey: string,
  ) {
    this.pool = new Pool(baseUrl, {
      connections: API_CONNECTIONS,
      keepAliveTimeout: 4_000,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
  }

  /** Publishes one signal as `application/json`; 202 means accepted. */
  publish(signal: unknown): Promise<ApiReply> {
    return this.send('POST', '/v1/signals', 'application/json', signal);
  }

  /** Publishes signals as one CloudEvents batch; 202 means all accepted. */
  publishBatch(signals: readonly unknown[]): Promise<ApiReply> {
    return this.send('POST', '/v1/signals', BATCH_MEDIA_TYPE, signals);
  }

  /** Creates a subscription; 201 means created. */
  createSubscription(subscription: unknown): Promise<ApiReply> {
    return this.send(
      'POST',
      '/v1/subscriptions',
      'application/json',
      subscription,
    );
  }

  /** Sends a GET without a key, as the health routes take none. */
  async get(path: string): Promise<ApiReply> {
    const response = await this.pool.request({ method: 'GET', path });
    return { status: response.statusCode, body: await response.body.text() };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async send(
    method: 'POST',
    path: string,
    contentType: string,
    body: unknown,
  ): Promise<ApiReply> {
    const response = await this.pool.request({
      method,
      path,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        'content-type': contentType,
      },
      body: JSON.stringify(body),
    });
    return { status: response.statusCode, body: await response.body.text() };
  }
}
