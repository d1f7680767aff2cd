import { CLIENT_DEFAULTS } from '@signalpost/client';
import { DEFAULT_API_URL } from './create-client';

const CONNECTION_OPTIONS = `Connection options (every command except bench):
  --url URL           API base URL (default: $SIGNALPOST_URL, else ${DEFAULT_API_URL})
  --api-key KEY       API key (default: $SIGNALPOST_API_KEY); a key given here
                      is visible to other users in the process list
  --max-retries N     retries of a request rejected with 429 or 503, or left
                      without a response (default: ${CLIENT_DEFAULTS.maxRetries})
  --json              print machine-readable JSON instead of tables
  -h, --help          print help for the command`;

const EXIT_CODE_TEXT = `Exit codes:
  0  success
  1  usage error, invalid input, or an unexpected failure
  2  the API rejected the request (4xx)
  3  the API is unavailable (no response, or 5xx)`;

const MAIN = `Usage: signalpost <command> [options]

Publishes signals to a Signalpost API and manages its subscriptions and
dead letters.

Commands:
  publish                 publish one signal, or every line of an NDJSON file
  subscriptions list      list subscriptions
  subscriptions get       print one subscription
  subscriptions create    create a subscription from JSON
  subscriptions update    replace a subscription with JSON
  subscriptions delete    delete a subscription
  dead-letters list       list dead-letter entries
  dead-letters replay     deliver a dead-letter entry again
  bench                   run the benchmarks of this checkout
  help [command]          print help for a command

${CONNECTION_OPTIONS}

${EXIT_CODE_TEXT}
`;

const PUBLISH = `Usage: signalpost publish --type TYPE --source SOURCE [options]
       signalpost publish --file FILE.ndjson [options]

Publishes one signal built from the options, or one signal per line of an
NDJSON file, sent in batches of up to 1000. With --file, a progress bar is
drawn on stderr when it is a terminal, and a summary follows: published,
duplicates, failed, elapsed time and rate.

Options:
  --type TYPE              signal type, such as order.created (required
                           without --file)
  --source SOURCE          producer of the signal (required without --file)
  --id ID                  signal id (default: a new UUIDv7 from the API);
                           a repeated (source, id) is reported as a duplicate
  --subject SUBJECT        subject attribute
  --data JSON              data of the signal, as a JSON value
  --idempotency-key KEY    Idempotency-Key of the request (default: a new
                           UUID); a repeat with the same key fans out nothing
  --file FILE              NDJSON file of signals, one JSON object a line;
                           blank lines are skipped, lines that are not JSON
                           objects are counted as failed and not sent

A file whose batches were all stored exits with 0. A rejected batch makes the
exit code 2 and publishing goes on. The first unavailable batch makes it 3
and stops. Lines that are not JSON objects make it at least 1.

${CONNECTION_OPTIONS}
`;

const SUBSCRIPTIONS = `Usage: signalpost subscriptions <action> [options]

Actions:
  list [--limit N] [--cursor CURSOR]              list subscriptions
  get <id>                                        print one subscription
  create --file FILE.json | --json-body JSON      create a subscription
  update <id> --file FILE.json | --json-body JSON replace a subscription
  delete <id>                                     delete a subscription

Run 'signalpost subscriptions <action> --help' for the options of one action.

${CONNECTION_OPTIONS}
`;

const SUBSCRIPTIONS_LIST = `Usage: signalpost subscriptions list [--limit N] [--cursor CURSOR]

Lists one page of subscriptions: id, pattern, enabled, targets, managed by.

Options:
  --limit N          subscriptions per page, 1 to 1000 (default: 100)
  --cursor CURSOR    the next-page cursor printed by the previous page

${CONNECTION_OPTIONS}
`;

const SUBSCRIPTIONS_GET = `Usage: signalpost subscriptions get <id>

Prints one subscription and its targets, with secrets redacted.

${CONNECTION_OPTIONS}
`;

const SUBSCRIPTIONS_CREATE = `Usage: signalpost subscriptions create --file FILE.json
       signalpost subscriptions create --json-body JSON

Creates a subscription from a JSON object such as
  {"id": "orders", "pattern": "order.**",
   "dispatch": {"adapter": "webhook", "url": "https://example.com/hook"}}
An id that exists already is rejected with 409 conflict.

Options:
  --file FILE        read the subscription from a JSON file
  --json-body JSON   take the subscription from this argument

${CONNECTION_OPTIONS}
`;

const SUBSCRIPTIONS_UPDATE = `Usage: signalpost subscriptions update <id> --file FILE.json
       signalpost subscriptions update <id> --json-body JSON

Replaces the subscription with this id, or creates it, from a JSON object
as for 'create' (its "id", if any, must match). Saving clears the marks of
targets that a 410 Gone disabled, so they get deliveries again.
Subscriptions declared in the config file are rejected with 409
managed_by_config.

Options:
  --file FILE        read the subscription from a JSON file
  --json-body JSON   take the subscription from this argument

${CONNECTION_OPTIONS}
`;

const SUBSCRIPTIONS_DELETE = `Usage: signalpost subscriptions delete <id>

Deletes a subscription. Subscriptions declared in the config file are
rejected with 409 managed_by_config.

${CONNECTION_OPTIONS}
`;

const DEAD_LETTERS = `Usage: signalpost dead-letters <action> [options]

Actions:
  list [--queue Q] [--subscription S] [--limit N] [--cursor C]
                     list dead-letter entries
  replay <id>        deliver an entry again as a new delivery

Run 'signalpost dead-letters <action> --help' for the options of one action.

${CONNECTION_OPTIONS}
`;

const DEAD_LETTERS_LIST = `Usage: signalpost dead-letters list [options]

Lists one page of dead-letter entries: id, queue, kind, reason, signal,
subscription, attempts, time, and the replay delivery if replayed.

Options:
  --queue QUEUE            only entries of this dead-letter queue
  --subscription ID        only entries of this subscription
  --limit N                entries per page, 1 to 1000 (default: 100)
  --cursor CURSOR          the next-page cursor printed by the previous page

${CONNECTION_OPTIONS}
`;

const DEAD_LETTERS_REPLAY = `Usage: signalpost dead-letters replay <id>

Delivers a dead-letter entry again as a new delivery with the full retry
policy and the same webhook-id, and marks the entry replayed. A request
left without a response is not resent, because a resend would deliver
twice; check with 'dead-letters list' before replaying again.

${CONNECTION_OPTIONS}
`;

const BENCH = `Usage: signalpost bench [arguments]
       signalpost bench -- --help

Runs the benchmarks of this checkout: 'node --import tsx bench/run.ts'
from the repository root, with the arguments passed on unchanged. The exit
code is the benchmark's. Put '--' first to pass --help to the benchmark.
`;

/** Help text by topic: `''` for the command, else `command [action]`. */
export const HELP_TEXT: Readonly<Record<string, string>> = Object.freeze({
  '': MAIN,
  publish: PUBLISH,
  subscriptions: SUBSCRIPTIONS,
  'subscriptions list': SUBSCRIPTIONS_LIST,
  'subscriptions get': SUBSCRIPTIONS_GET,
  'subscriptions create': SUBSCRIPTIONS_CREATE,
  'subscriptions update': SUBSCRIPTIONS_UPDATE,
  'subscriptions delete': SUBSCRIPTIONS_DELETE,
  'dead-letters': DEAD_LETTERS,
  'dead-letters list': DEAD_LETTERS_LIST,
  'dead-letters replay': DEAD_LETTERS_REPLAY,
  bench: BENCH,
});
