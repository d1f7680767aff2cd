import { processIo } from './cli-io';
import { runCli } from './run-cli';

// A reader that stops early, such as `| head`, closes the pipe. The rest of
// the output has nowhere to go, so the CLI ends quietly instead of crashing.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

// The exit code is set rather than passed to process.exit, so that output
// still buffered for a pipe is written before the process ends.
void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
