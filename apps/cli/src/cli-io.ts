/** A stream the CLI writes text to. */
export interface TextSink {
  write(text: string): unknown;
}

/** Streams and environment of the CLI, besides its arguments. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Whether stderr is a terminal, which turns the progress bar on. */
  readonly stderrIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Returns the streams and environment of the running process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTty: process.stderr.isTTY === true,
    env: process.env,
  };
}
