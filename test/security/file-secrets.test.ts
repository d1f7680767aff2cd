import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startReceiver, type Receiver } from '../support/receiver';
import { dumpPrefix } from '../support/redis-dump';
import {
  waitForDelivery,
  type DeliveryView,
} from '../support/wait-for-delivery';
import {
  startTestStack,
  waitFor,
  type TestResponse,
  type TestStack,
} from '../support/stack';

const INSIDE_SECRET = 'file-secret-inside-0123456789';
const OUTSIDE_SECRET = 'file-secret-outside-0123456789';
const MOUNTED_SECRET = 'file-secret-mounted-v1-0123456789';
const ROTATED_SECRET = 'file-secret-mounted-v2-0123456789';
// A FIFO with no writer blocks a plain open, so a hang shows up as this.
const SAVE_TIMEOUT_MS = 10_000;

interface SecretFiles {
  readonly dir: string;
  readonly outsideDir: string;
}

/**
 * Lays out a secrets directory with a regular file and every kind of entry
 * an attacker could point at, and a directory outside it.
 */
function createSecretFiles(): SecretFiles {
  const dir = mkdtempSync(join(tmpdir(), 'signalpost-secrets-'));
  const outsideDir = mkdtempSync(join(tmpdir(), 'signalpost-outside-'));
  writeFileSync(join(outsideDir, 'outside.key'), OUTSIDE_SECRET);

  writeFileSync(join(dir, 'regular.key'), `${INSIDE_SECRET}\n`);
  writeFileSync(join(dir, 'large.key'), 'x'.repeat(5 * 1024));
  mkdirSync(join(dir, 'subdir'));
  symlinkSync(join(outsideDir, 'outside.key'), join(dir, 'link-out.key'));
  symlinkSync(outsideDir, join(dir, 'linked-dir'));
  execFileSync('mkfifo', [join(dir, 'pipe.key')]);
  mountSecretVolume(dir);
  return { dir, outsideDir };
}

/**
 * Lays out `mounted.key` the way Kubernetes projects a secret volume: the
 * key is a symlink through `..data`, itself a symlink to a versioned
 * directory.
 */
function mountSecretVolume(dir: string): void {
  mkdirSync(join(dir, '..2024_01_01_v1'));
  writeFileSync(join(dir, '..2024_01_01_v1', 'mounted.key'), MOUNTED_SECRET);
  symlinkSync('..2024_01_01_v1', join(dir, '..data'));
  symlinkSync(join('..data', 'mounted.key'), join(dir, 'mounted.key'));
}

/**
 * Updates the mounted secret the way the kubelet does: writes a new
 * versioned directory, swaps `..data` to it with a rename, and deletes the
 * old directory.
 */
function rotateSecretVolume(dir: string): void {
  mkdirSync(join(dir, '..2024_01_02_v2'));
  writeFileSync(join(dir, '..2024_01_02_v2', 'mounted.key'), ROTATED_SECRET);
  symlinkSync('..2024_01_02_v2', join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  rmSync(join(dir, '..2024_01_01_v1'), { recursive: true });
}

function hmacHeader(secret: string, body: Buffer): string {
  const digest = createHmac('sha256', secret).update(body).digest('hex');
  return `sha256=${digest}`;
}

function fileSubscription(
  id: string,
  url: string,
  file: string,
): Record<string, unknown> {
  return {
    id,
    pattern: `file.${id}`,
    dispatch: {
      adapter: 'webhook',
      url,
      signature: 'hmac-sha256',
      secret: { file },
      retry: { maxRetries: 0 },
    },
  };
}

function issuePaths(response: TestResponse): string[] {
  const details = (response.body?.error?.details ?? []) as { path: string }[];
  return details.map((detail) => detail.path);
}

async function withinTimeout<T>(
  work: Promise<T>,
  timeoutMs: number,
  operation: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${operation} took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('secrets read from a file', () => {
  let files: SecretFiles;
  let receiver: Receiver;

  beforeAll(async () => {
    files = createSecretFiles();
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
    rmSync(files.dir, { recursive: true, force: true });
    rmSync(files.outsideDir, { recursive: true, force: true });
  });

  describe('with SIGNALPOST_SECRETS_DIR', () => {
    let stack: TestStack;

    async function publishAndWait(id: string): Promise<DeliveryView> {
      const published = await stack.request('POST', '/v1/signals', {
        body: { type: `file.${id}`, source: 'billing', id: `${id}-1` },
      });
      expect(published.status).toBe(202);
      return waitForDelivery(stack, `${id}-1`);
    }

    beforeAll(async () => {
      stack = await startTestStack({ SIGNALPOST_SECRETS_DIR: files.dir });
    });

    afterAll(async () => {
      await stack?.close();
    });

    it('signs with a regular file inside', async () => {
      const file = join(files.dir, 'regular.key');
      const created = await stack.request('POST', '/v1/subscriptions', {
        body: fileSubscription('inside', `${receiver.url}/inside`, file),
      });
      expect(created.status).toBe(201);
      expect(created.body.dispatch[0].secret).toEqual({
        set: true,
        kind: 'file',
      });

      const delivery = await publishAndWait('inside');

      expect(delivery.state).toBe('delivered');
      const request = receiver.requests.find((item) => item.url === '/inside');
      expect(request?.headers['x-signature-256']).toBe(
        hmacHeader(INSIDE_SECRET, request?.body ?? Buffer.alloc(0)),
      );
    });

    it('keeps the file content out of Redis', async () => {
      const dump = await dumpPrefix(stack.config.prefix);

      expect(dump).toContain('regular.key');
      expect(dump).not.toContain(INSIDE_SECRET);
    });

    it('signs with a name relative to the directory', async () => {
      const created = await stack.request('POST', '/v1/subscriptions', {
        body: fileSubscription(
          'relative',
          `${receiver.url}/relative`,
          'regular.key',
        ),
      });
      expect(created.status).toBe(201);

      const delivery = await publishAndWait('relative');

      // The API resolved the name against SIGNALPOST_SECRETS_DIR when it
      // accepted it, so the worker must read that same file.
      expect(delivery.attempts[0]?.errorMessage).toBeUndefined();
      expect(delivery.state).toBe('delivered');
    });

    describe('from a Kubernetes secret volume', () => {
      const file = (): string => join(files.dir, 'mounted.key');

      it('signs with the mounted key', async () => {
        const created = await stack.request('POST', '/v1/subscriptions', {
          body: fileSubscription('mounted', `${receiver.url}/mounted`, file()),
        });
        expect(created.status).toBe(201);

        const delivery = await publishAndWait('mounted');

        expect(delivery.state).toBe('delivered');
        const request = receiver.requests.find(
          (item) => item.url === '/mounted',
        );
        expect(request?.headers['x-signature-256']).toBe(
          hmacHeader(MOUNTED_SECRET, request?.body ?? Buffer.alloc(0)),
        );
      });

      it('signs with the new key after the volume is updated', async () => {
        rotateSecretVolume(files.dir);
        const before = receiver.requests.length;
        await stack.request('POST', '/v1/signals', {
          body: { type: 'file.mounted', source: 'billing', id: 'mounted-2' },
        });

        const delivery = await waitForDelivery(stack, 'mounted-2');

        // Secrets are resolved at each attempt, so an updated file applies.
        expect(delivery.attempts[0]?.errorMessage).toBeUndefined();
        expect(delivery.state).toBe('delivered');
        const request = receiver.requests
          .slice(before)
          .find((item) => item.url === '/mounted');
        expect(request?.headers['x-signature-256']).toBe(
          hmacHeader(ROTATED_SECRET, request?.body ?? Buffer.alloc(0)),
        );
      });
    });

    const rejected: [string, (files: SecretFiles) => string][] = [
      [
        'a relative ../ escape',
        (f) => `../${basename(f.outsideDir)}/outside.key`,
      ],
      [
        'an absolute ../ escape',
        (f) => `${f.dir}/../${basename(f.outsideDir)}/outside.key`,
      ],
      ['an absolute path outside', (f) => join(f.outsideDir, 'outside.key')],
      ['/dev/zero', () => '/dev/zero'],
      ['/etc/passwd', () => '/etc/passwd'],
      ['a symlink to a file outside', (f) => join(f.dir, 'link-out.key')],
      [
        'a file under a symlinked directory',
        (f) => join(f.dir, 'linked-dir', 'outside.key'),
      ],
      ['a FIFO', (f) => join(f.dir, 'pipe.key')],
      ['a 5 KiB file', (f) => join(f.dir, 'large.key')],
      ['a directory', (f) => join(f.dir, 'subdir')],
      ['the secrets directory itself', (f) => f.dir],
      ['a missing file', (f) => join(f.dir, 'missing.key')],
      ['a path with a NUL byte', (f) => `${join(f.dir, 'regular.key')}\u0000`],
    ];

    it.each(rejected)('rejects %s', async (_name, pathOf) => {
      const subscription = fileSubscription(
        'rejected',
        `${receiver.url}/rejected`,
        pathOf(files),
      );

      const response = await withinTimeout(
        stack.request('POST', '/v1/subscriptions', { body: subscription }),
        SAVE_TIMEOUT_MS,
        'the save',
      );

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(issuePaths(response)).toEqual(['dispatch[0].secret']);
      expect(JSON.stringify(response.body)).not.toContain(OUTSIDE_SECRET);
    });

    it('responds to /healthz after the FIFO', async () => {
      const response = await stack.request('GET', '/healthz', { key: null });

      expect(response.status).toBe(200);
    });

    it('never signs with a file outside', async () => {
      // Delivers through any subscription that a rejection above missed.
      await stack.request('POST', '/v1/signals', {
        body: { type: 'file.rejected', source: 'billing', id: 'rejected-1' },
      });
      const record = await waitFor(
        async () => {
          const response = await stack.request('GET', '/v1/signals/rejected-1');
          const states = (response.body?.deliveries ?? []).map(
            (delivery: { state: string }) => delivery.state,
          );
          const routed = response.body?.state !== 'routing';
          const ended = states.every((state: string) =>
            ['delivered', 'dead_lettered'].includes(state),
          );
          return routed && ended ? response.body : undefined;
        },
        15_000,
        'the probe signal to be handled',
      );
      const outsideSignatures = receiver.requests.filter(
        (request) =>
          request.headers['x-signature-256'] ===
          hmacHeader(OUTSIDE_SECRET, request.body),
      );

      expect(outsideSignatures.map((request) => request.url)).toEqual([]);
      expect(record.state).toBe('unmatched');
    });
  });

  describe('without SIGNALPOST_SECRETS_DIR', () => {
    let stack: TestStack;

    beforeAll(async () => {
      stack = await startTestStack();
    });

    afterAll(async () => {
      await stack?.close();
    });

    it.each([
      ['a regular file', (f: SecretFiles) => join(f.dir, 'regular.key')],
      ['a relative name', () => 'regular.key'],
      ['/dev/zero', () => '/dev/zero'],
    ])('rejects %s', async (_name, pathOf) => {
      const response = await stack.request('POST', '/v1/subscriptions', {
        body: fileSubscription('nodir', `${receiver.url}/nodir`, pathOf(files)),
      });

      expect(response.status).toBe(400);
      expect(issuePaths(response)).toEqual(['dispatch[0].secret']);
      expect(response.body.error.message).toContain('SIGNALPOST_SECRETS_DIR');
    });
  });
});
