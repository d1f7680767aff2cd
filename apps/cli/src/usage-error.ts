/**
 * A command line that cannot run: an unknown command or option, a missing
 * or malformed value. The CLI prints the message and exits with 1.
 */
export class UsageError extends Error {
  /** The help topic to point at, such as `publish` or `subscriptions list`. */
  readonly topic: string;

  constructor(message: string, topic = '', options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
    this.topic = topic;
  }
}
