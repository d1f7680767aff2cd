/** One entry of the API error registry. */
export interface ApiErrorDefinition {
  /** HTTP status the API returns. */
  readonly status: number;
  /** Meaning of the error, in one sentence. */
  readonly meaning: string;
  /** Remedy for the client. */
  readonly solution: string;
}

/**
 * Every error code the HTTP API returns, with its status. `docs/errors.md`
 * documents the same table; a test fails when the two drift apart.
 */
export const API_ERROR_CODES = Object.freeze({
  invalid_json: {
    status: 400,
    meaning: 'The body is not valid JSON.',
    solution: 'Send a well-formed JSON document.',
  },
  validation_failed: {
    status: 400,
    meaning:
      'The request parsed but breaks a rule; `details` names the fields.',
    solution: 'Fix the fields listed in `details` and send again.',
  },
  unsupported_media_type: {
    status: 415,
    meaning: 'The content type is not one the route reads.',
    solution:
      'Use application/json, application/cloudevents+json, application/cloudevents-batch+json or CloudEvents binary mode.',
  },
  payload_too_large: {
    status: 413,
    meaning: 'A signal or the whole request is larger than the limit.',
    solution:
      'Keep each signal under 256 KiB and each request under SIGNALPOST_MAX_BODY_BYTES.',
  },
  batch_too_large: {
    status: 413,
    meaning: 'A batch holds more than 1000 signals.',
    solution: 'Split the batch into requests of at most 1000 signals.',
  },
  unauthorized: {
    status: 401,
    meaning: 'The request carries no valid API key.',
    solution: 'Send `Authorization: Bearer <api key>` with a configured key.',
  },
  forbidden: {
    status: 403,
    meaning: 'The API key lacks the scope this route needs.',
    solution: 'Use a key with the scope named in the message.',
  },
  not_found: {
    status: 404,
    meaning: 'No such resource, or its record has expired.',
    solution: 'Check the id; records are kept for SIGNALPOST_RETENTION.',
  },
  conflict: {
    status: 409,
    meaning:
      "The resource exists already, the id is ambiguous, or a replay's target cannot take it.",
    solution:
      'Use PUT to replace, pass `source` to pick one candidate, or enable the subscription or target, then replay.',
  },
  idempotency_key_reused: {
    status: 422,
    meaning: 'The Idempotency-Key was used before with another body.',
    solution: 'Use a new key for a different request.',
  },
  idempotency_key_in_flight: {
    status: 409,
    meaning: 'A request with the same Idempotency-Key is still being stored.',
    solution: 'Retry after a moment; the first request decides the response.',
  },
  rate_limited: {
    status: 429,
    meaning: 'The API key passed its ingest rate limit.',
    solution: 'Wait for `Retry-After` seconds, then retry.',
  },
  overloaded: {
    status: 503,
    meaning: 'The delivery backlog or Redis memory passed its bound.',
    solution: 'Wait for `Retry-After` seconds while the backlog drains.',
  },
  redis_unavailable: {
    status: 503,
    meaning:
      'Redis did not reply in time, so the request may not have been stored.',
    solution:
      'Retry later with the same id or Idempotency-Key, which is safe; check Redis and REDIS_URL.',
  },

  invalid_signature: {
    status: 400,
    meaning: 'An inbound webhook has a missing, stale or wrong signature.',
    solution: "Check the source's signing secret and the clock.",
  },
  unknown_source: {
    status: 404,
    meaning: 'No inbound source of that name is configured.',
    solution: 'Declare the source under `inbound` in the config file.',
  },
  managed_by_config: {
    status: 409,
    meaning: 'The subscription is declared in the config file.',
    solution: 'Edit the config file and restart the API instead.',
  },
} satisfies Record<string, ApiErrorDefinition>);

/** A code of the API error registry. */
export type ApiErrorCode = keyof typeof API_ERROR_CODES;
