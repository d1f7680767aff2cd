/** Raised at start when a variable or config-file key is invalid. */
export class ConfigError extends Error {
  readonly code = 'SIGNALPOST_ERR_CONFIG_INVALID';
  /** The variable or config-file key at fault, e.g. `PORT`. */
  readonly key: string;

  constructor(key: string, message: string) {
    super(`${key}: ${message}`);
    this.name = 'ConfigError';
    this.key = key;
  }
}
