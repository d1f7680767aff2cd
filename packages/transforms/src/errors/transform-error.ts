/**
 * Codes of {@link TransformError}, stable across releases.
 *
 * - `failed`: the signal cannot be turned into the target's body, for example
 *   because a field the transform needs is missing. The delivery is
 *   dead-lettered with reason `transform_failed`.
 * - `configInvalid`: the registry options are invalid. Fix the named option.
 * - `nameConflict`: a plugin transform has an invalid name or reuses the name
 *   of a built-in transform. Rename the plugin transform.
 */
export const TRANSFORM_ERROR_CODES = Object.freeze({
  failed: 'SIGNALPOST_ERR_TRANSFORM_FAILED',
  configInvalid: 'SIGNALPOST_ERR_TRANSFORM_CONFIG_INVALID',
  nameConflict: 'SIGNALPOST_ERR_TRANSFORM_NAME_CONFLICT',
} as const);

/** One of the values of {@link TRANSFORM_ERROR_CODES}. */
export type TransformErrorCode =
  (typeof TRANSFORM_ERROR_CODES)[keyof typeof TRANSFORM_ERROR_CODES];

/** Options of a {@link TransformError}. */
export interface TransformErrorOptions {
  /** Name of the transform that failed, when one did. */
  readonly transform?: string;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * Error raised by a transform or by the transform registry. Messages name the
 * field or option at fault and never contain routing keys. The exception is
 * a wrapped plugin error, whose message is included as the plugin wrote it.
 */
export class TransformError extends Error {
  override readonly name = 'TransformError';
  /** Stable error code. */
  readonly code: TransformErrorCode;
  /** Name of the transform that failed, when one did. */
  readonly transform: string | undefined;

  constructor(
    code: TransformErrorCode,
    message: string,
    options: TransformErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.transform = options.transform;
  }
}

/** Creates a `failed` {@link TransformError} for the named transform. */
export function transformFailed(
  transform: string,
  message: string,
  cause?: unknown,
): TransformError {
  return new TransformError(TRANSFORM_ERROR_CODES.failed, message, {
    transform,
    cause,
  });
}
