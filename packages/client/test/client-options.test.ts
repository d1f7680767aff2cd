import {
  CLIENT_DEFAULTS,
  CLIENT_ERROR_CODES,
  SignalpostClient,
  SignalpostClientError,
  resolveClientOptions,
  type SignalpostClientOptions,
} from '../src';

const VALID: SignalpostClientOptions = {
  baseUrl: 'http://127.0.0.1:8080',
  apiKey: 'key-0001',
};

describe('resolveClientOptions', () => {
  it('fills in the defaults', () => {
    const resolved = resolveClientOptions(VALID);
    expect(resolved.timeoutMs).toBe(CLIENT_DEFAULTS.timeoutMs);
    expect(resolved.maxRetries).toBe(CLIENT_DEFAULTS.maxRetries);
    expect(resolved.retryBaseDelayMs).toBe(CLIENT_DEFAULTS.retryBaseDelayMs);
    expect(resolved.retryMaxDelayMs).toBe(CLIENT_DEFAULTS.retryMaxDelayMs);
    expect(resolved.fetch).toBe(globalThis.fetch);
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it.each([
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1:8080/api//', 'http://127.0.0.1:8080/api'],
    ['https://[::1]:8443', 'https://[::1]:8443'],
  ])('keeps the base URL %p as %p', (baseUrl, expected) => {
    expect(resolveClientOptions({ ...VALID, baseUrl }).baseUrl).toBe(expected);
  });

  it.each<[string, Partial<Record<keyof SignalpostClientOptions, unknown>>]>([
    ['baseUrl', { baseUrl: 'not a url' }],
    ['baseUrl', { baseUrl: 'ftp://127.0.0.1/' }],
    ['baseUrl', { baseUrl: 'http://127.0.0.1/?x=1' }],
    ['apiKey', { apiKey: '' }],
    ['apiKey', { apiKey: 'two words' }],
    ['apiKey', { apiKey: 42 }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: 1.5 }],
    ['maxRetries', { maxRetries: -1 }],
    ['maxRetries', { maxRetries: 101 }],
    ['retryBaseDelayMs', { retryBaseDelayMs: -5 }],
    ['retryMaxDelayMs', { retryBaseDelayMs: 1000, retryMaxDelayMs: 999 }],
    ['fetch', { fetch: 'fetch' }],
  ])('rejects an invalid %s', (name, override) => {
    const options = { ...VALID, ...override } as SignalpostClientOptions;
    const error = captureError(() => resolveClientOptions(options));
    expect(error).toBeInstanceOf(SignalpostClientError);
    expect((error as SignalpostClientError).code).toBe(
      CLIENT_ERROR_CODES.invalidOption,
    );
    expect((error as Error).message).toContain(name);
  });

  it('rejects credentials in the base URL without echoing them', () => {
    const error = captureError(() =>
      resolveClientOptions({
        ...VALID,
        baseUrl: 'http://me:hunter2@127.0.0.1',
      }),
    );
    expect((error as Error).message).toContain('credentials');
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('never puts the API key in the message', () => {
    const error = captureError(
      () => new SignalpostClient({ ...VALID, apiKey: 'secret value' }),
    );
    expect((error as Error).message).not.toContain('secret value');
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}
