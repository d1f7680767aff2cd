import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { redisKeys } from '@signalpost/queues';
import { SubscriptionStore } from '@signalpost/store';
import type { DisabledMark } from '@signalpost/subscriptions';
import { testRedisUrl } from '../../../test/support/redis';
import {
  ADMIN_KEY,
  PUBLISH_KEY,
  startTestStack,
  type TestStack,
} from '../../../test/support/stack';

const BIN = path.resolve(__dirname, '..', 'bin', 'signalpost.js');

/** Generous bound on one CLI run, because tsx compiles the sources on each start. */
const RUN_TIMEOUT_MS = 45_000;

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('the signalpost command', () => {
  let stack: TestStack;
  let workDirectory: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    stack = await startTestStack();
    // Outside the repository, to prove the bin finds its sources and tsx.
    workDirectory = await mkdtemp(path.join(tmpdir(), 'signalpost-cli-'));
    env = { SIGNALPOST_URL: stack.baseUrl, SIGNALPOST_API_KEY: ADMIN_KEY };
  });

  afterAll(async () => {
    await stack.close();
    await rm(workDirectory, { recursive: true, force: true });
  });

  function run(
    args: readonly string[],
    extraEnv: Record<string, string> = env,
  ): Promise<CliResult> {
    return runSignalpost(args, workDirectory, extraEnv);
  }

  async function writeLines(name: string, lines: string[]): Promise<string> {
    const filePath = path.join(workDirectory, name);
    await writeFile(filePath, `${lines.join('\n')}\n`);
    return filePath;
  }

  describe('--help', () => {
    it('prints the usage and exits with 0', async () => {
      const result = await run(['--help'], {});
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: signalpost <command>');
      expect(result.stdout).toContain('Exit codes:');
    });

    it.each([
      [['publish', '--help'], '--type TYPE'],
      [['subscriptions', 'create', '--help'], '--json-body'],
      [['subscriptions', 'update', '--help'], 'clears the marks'],
      [['dead-letters', 'list', '--help'], '--queue'],
      [['bench', '--help'], 'bench/run.ts'],
    ])('prints help for %j', async (args, expected) => {
      const result = await run(args, {});
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(expected);
    });
  });

  describe('publish', () => {
    it('publishes one signal and prints its id as JSON', async () => {
      const result = await run([
        'publish',
        '--type',
        'order.created',
        '--source',
        'cli',
        '--id',
        'cli-1',
        '--subject',
        'order/1',
        '--data',
        '{"total":12}',
        '--json',
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        id: 'cli-1',
        duplicate: false,
      });

      const stored = await stack.request('GET', '/v1/signals/cli-1');
      expect(stored.body.signal.subject).toBe('order/1');
      expect(stored.body.signal.data).toEqual({ total: 12 });
    });

    it('prints a table without --json', async () => {
      const result = await run(['publish', '--type', 'a.b', '--source', 'cli']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^id\s+\S+\nduplicate\s+false\n$/);
    });

    it('rejects --data that is not JSON with exit code 1', async () => {
      const result = await run([
        'publish',
        '--type',
        'a.b',
        '--source',
        'cli',
        '--data',
        '{oops',
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('--data is not valid JSON');
    });
  });

  describe('publish --file', () => {
    it('publishes 50 lines and says so in the summary', async () => {
      const filePath = await writeLines(
        'fifty.ndjson',
        Array.from({ length: 50 }, (_, index) =>
          JSON.stringify({
            type: 'bulk.item',
            source: 'cli-file',
            id: `f-${index}`,
          }),
        ),
      );
      const result = await run(['publish', '--file', filePath, '--json']);
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout) as Record<string, number>;
      expect(summary.published).toBe(50);
      expect(summary.duplicates).toBe(0);
      expect(summary.failed).toBe(0);
      expect(summary.elapsedMs).toBeGreaterThanOrEqual(0);

      const again = await run(['publish', '--file', filePath]);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/^published\s+0$/m);
      expect(again.stdout).toMatch(/^duplicates\s+50$/m);
      expect(again.stdout).toMatch(/^rate\s+\d+ signals\/s$/m);
    });

    it('skips lines that are not JSON objects with exit code 1', async () => {
      const filePath = await writeLines('bad-line.ndjson', [
        '{"type":"a.b","source":"cli-file"}',
        'not json',
        '{"type":"a.b","source":"cli-file"}',
      ]);
      const result = await run(['publish', '--file', filePath, '--json']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('line 2: skipped');
      const summary = JSON.parse(result.stdout) as Record<string, number>;
      expect(summary.published).toBe(2);
      expect(summary.failed).toBe(1);
    });

    it('reports a refused batch by line with exit code 2', async () => {
      const filePath = await writeLines('refused.ndjson', [
        '{"type":"a.b","source":"cli-file"}',
        '{"type":"bad..type","source":"cli-file"}',
      ]);
      const result = await run(['publish', '--file', filePath, '--json']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('lines 1-2: not published');
      expect(result.stderr).toMatch(/line 2:.*type/);
      const summary = JSON.parse(result.stdout) as Record<string, number>;
      expect(summary.failed).toBe(2);
    });

    it('rejects a missing file with exit code 1', async () => {
      const result = await run(['publish', '--file', 'no-such.ndjson']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('no-such.ndjson: no such file (ENOENT)');
    });
  });

  describe('subscriptions', () => {
    it('creates, gets, lists and deletes a subscription', async () => {
      const body = JSON.stringify({
        id: 'cli-sub',
        pattern: 'cli.**',
        dispatch: { adapter: 'noop' },
      });
      const created = await run([
        'subscriptions',
        'create',
        '--json-body',
        body,
        '--json',
      ]);
      expect(created.code).toBe(0);
      expect(JSON.parse(created.stdout).id).toBe('cli-sub');

      const got = await run(['subscriptions', 'get', 'cli-sub']);
      expect(got.code).toBe(0);
      expect(got.stdout).toMatch(/^pattern\s+cli\.\*\*$/m);
      expect(got.stdout).toMatch(/^cli-sub#0\s+noop$/m);

      const listed = await run(['subscriptions', 'list']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/^ID\s+PATTERN/);
      expect(listed.stdout).toMatch(/^cli-sub\s+cli\.\*\*\s+true\s+noop/m);

      const deleted = await run(['subscriptions', 'delete', 'cli-sub']);
      expect(deleted.code).toBe(0);
      expect(deleted.stdout).toBe('deleted subscription cli-sub\n');

      const afterDelete = await run([
        'subscriptions',
        'get',
        'cli-sub',
        '--json',
      ]);
      expect(afterDelete.code).toBe(2);
      expect(JSON.parse(afterDelete.stderr).error).toMatchObject({
        code: 'not_found',
        status: 404,
      });
    });

    it('marks a target disabled by a 410', async () => {
      const body = JSON.stringify({
        id: 'cli-gone',
        pattern: 'gone.**',
        dispatch: {
          id: 'retired',
          adapter: 'webhook',
          url: 'http://127.0.0.1:9/hooks',
        },
      });
      const created = await run([
        'subscriptions',
        'create',
        '--json-body',
        body,
      ]);
      expect(created.code).toBe(0);
      // The worker sets this mark when the target responds 410 Gone.
      await disableTarget(stack, 'cli-gone', 'retired', {
        at: '2026-01-02T03:04:05.000Z',
        reason: 'target responded 410 Gone',
      });

      const listed = await run(['subscriptions', 'list']);
      const got = await run(['subscriptions', 'get', 'cli-gone']);

      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(
        /^cli-gone\s+gone\.\*\*\s+true\s+webhook http:\/\/127\.0\.0\.1:9\/hooks \(disabled\)/m,
      );
      expect(got.code).toBe(0);
      expect(got.stdout).toMatch(/^TARGET\s+ADAPTER\s+URL\s+DISABLED$/m);
      expect(got.stdout).toMatch(
        /^retired\s+webhook\s+\S+\s+since 2026-01-02T03:04:05\.000Z: target responded 410 Gone$/m,
      );
    });

    it('updates a subscription and clears a disabled mark', async () => {
      const body = JSON.stringify({
        pattern: 'update.**',
        dispatch: {
          id: 'hook',
          adapter: 'webhook',
          url: 'http://127.0.0.1:9/hooks',
        },
      });
      const created = await run([
        'subscriptions',
        'update',
        'cli-update',
        '--json-body',
        body,
      ]);
      expect(created.code).toBe(0);
      await disableTarget(stack, 'cli-update', 'hook', {
        at: '2026-01-02T03:04:05.000Z',
        reason: 'target responded 410 Gone',
      });

      const updated = await run([
        'subscriptions',
        'update',
        'cli-update',
        '--json-body',
        body,
        '--json',
      ]);

      expect(updated.code).toBe(0);
      const stored = JSON.parse(updated.stdout);
      expect(stored.id).toBe('cli-update');
      expect(stored.dispatch[0].disabled).toBeUndefined();
      const got = await run(['subscriptions', 'get', 'cli-update']);
      expect(got.stdout).not.toContain('since 2026-01-02');
    });

    it('needs a body to update', async () => {
      const result = await run(['subscriptions', 'update', 'cli-update']);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'give exactly one of --file and --json-body',
      );
    });

    it('creates a subscription from a file', async () => {
      const filePath = path.join(workDirectory, 'subscription.json');
      await writeFile(
        filePath,
        JSON.stringify({
          id: 'cli-file-sub',
          pattern: 'file.*',
          dispatch: [{ adapter: 'logger' }],
        }),
      );
      const result = await run(['subscriptions', 'create', '--file', filePath]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^id\s+cli-file-sub$/m);
      expect(result.stdout).toMatch(/^cli-file-sub#0\s+logger$/m);
    });

    it('exits with 2 for a subscription the API rejects', async () => {
      const result = await run([
        'subscriptions',
        'create',
        '--json-body',
        '{"pattern":"a.***","dispatch":{"adapter":"noop"}}',
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('validation_failed');
      expect(result.stderr).toContain('details:');
    });

    it('exits with 2 when a publish-only key lists them', async () => {
      const result = await run(['subscriptions', 'list'], {
        ...env,
        SIGNALPOST_API_KEY: PUBLISH_KEY,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('403 forbidden');
      expect(result.stderr).not.toContain(PUBLISH_KEY);
    });
  });

  describe('dead-letters', () => {
    it('lists entries as JSON', async () => {
      const result = await run(['dead-letters', 'list', '--json']);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ data: [] });
    });

    it('prints a message when there are no entries', async () => {
      const result = await run(['dead-letters', 'list', '--queue', 'none']);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('no dead-letter entries\n');
    });

    it('exits with 2 when replaying an unknown entry', async () => {
      const result = await run(['dead-letters', 'replay', 'no-such-entry']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('404 not_found');
    });
  });

  describe('usage errors', () => {
    it('exits with 1 for a publish without --source', async () => {
      const result = await run(['publish', '--type', 'a.b']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('publish needs --type and --source');
      expect(result.stdout).toBe('');
    });

    it('exits with 1 without an API key', async () => {
      const result = await run(['subscriptions', 'list'], {
        SIGNALPOST_URL: stack.baseUrl,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('missing API key');
    });

    it('prints a usage error as JSON under --json', async () => {
      const result = await run(['nope', '--json']);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stderr).error.code).toBe('usage');
    });
  });

  describe('when the API is unreachable', () => {
    it('exits with 3 for port 1', async () => {
      const result = await run([
        'publish',
        '--type',
        'a.b',
        '--source',
        'cli',
        '--url',
        'http://127.0.0.1:1',
      ]);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('failed without a response');
    });

    it('exits with 3 when the connection is refused', async () => {
      const url = await closedPortUrl();
      const result = await run([
        'subscriptions',
        'list',
        '--url',
        url,
        '--max-retries',
        '1',
      ]);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('ECONNREFUSED');
      expect(result.stderr).toContain('after 2 attempts');
    });
  });
});

/** Runs the bin in a child process with only PATH and `env` set. */
function runSignalpost(
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: RUN_TIMEOUT_MS,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
  });
}

/** Binds an ephemeral port and frees it, so connecting is refused. */
async function closedPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Sets the mark a 410 Gone leaves on a target, as the worker does. */
async function disableTarget(
  stack: TestStack,
  subscriptionId: string,
  targetId: string,
  mark: DisabledMark,
): Promise<void> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  try {
    await new SubscriptionStore(
      redis,
      redisKeys(stack.config.prefix),
    ).disableTarget(subscriptionId, targetId, mark);
  } finally {
    redis.disconnect();
  }
}
