import {
  BUILT_IN_TRANSFORM_NAMES,
  TRANSFORM_ERROR_CODES,
  TransformError,
  createTransformRegistry,
  type TransformFn,
} from '../src';
import { PAGERDUTY_CONFIG, makeSignal } from './fixtures';

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('createTransformRegistry', () => {
  it('lists the built-in transforms, sorted', () => {
    expect(createTransformRegistry().names()).toEqual([
      'pagerduty.resolve',
      'pagerduty.trigger',
      'slack.deployment',
      'slack.error',
      'slack.milestone',
    ]);
  });

  it('returns undefined for an unknown name', () => {
    const registry = createTransformRegistry();
    expect(registry.get('slack.unknown')).toBeUndefined();
    expect(registry.get('__proto__')).toBeUndefined();
  });

  it('adds plugin transforms beside the built-ins', () => {
    const echo: TransformFn = (signal) => ({ echoed: signal.id });
    const registry = createTransformRegistry({
      plugins: { 'acme.echo': echo },
    });

    expect(registry.names()).toContain('acme.echo');
    expect(registry.get('acme.echo')?.(makeSignal({}))).toEqual({
      echoed: 'sig-test',
    });
  });

  it('returns a copy of the names', () => {
    const registry = createTransformRegistry();
    registry.names().push('mutated');
    expect(registry.names()).not.toContain('mutated');
  });

  it.each(BUILT_IN_TRANSFORM_NAMES.map((name) => [name]))(
    'rejects a plugin named %s',
    (name) => {
      const error = catchError(() =>
        createTransformRegistry({ plugins: { [name]: () => ({}) } }),
      ) as TransformError;

      expect(error).toBeInstanceOf(TransformError);
      expect(error.code).toBe(TRANSFORM_ERROR_CODES.nameConflict);
      expect(error.message).toContain(name);
    },
  );

  it.each([[''], ['acme..echo'], ['.echo'], ['acme echo'], ['x'.repeat(129)]])(
    'rejects the plugin name %p',
    (name) => {
      const error = catchError(() =>
        createTransformRegistry({ plugins: { [name]: () => ({}) } }),
      ) as TransformError;
      expect(error.code).toBe(TRANSFORM_ERROR_CODES.nameConflict);
    },
  );

  it('rejects a plugin that is not a function', () => {
    const error = catchError(() =>
      createTransformRegistry({
        plugins: { 'acme.echo': 'nope' as unknown as TransformFn },
      }),
    ) as TransformError;
    expect(error.code).toBe(TRANSFORM_ERROR_CODES.configInvalid);
  });

  it('rejects plugins that are not an object', () => {
    const error = catchError(() =>
      createTransformRegistry({ plugins: [] as never }),
    ) as TransformError;
    expect(error.code).toBe(TRANSFORM_ERROR_CODES.configInvalid);
  });
});

describe('transforms from the registry', () => {
  it('pass a plugin TransformError through unchanged', () => {
    const thrown = new TransformError(
      TRANSFORM_ERROR_CODES.failed,
      'no account id',
    );
    const registry = createTransformRegistry({
      plugins: {
        'acme.strict': () => {
          throw thrown;
        },
      },
    });
    const error = catchError(() =>
      registry.get('acme.strict')?.(makeSignal({})),
    );
    expect(error).toBe(thrown);
  });

  describe('when a plugin throws another error', () => {
    const cause = new RangeError('index out of range');
    const registry = createTransformRegistry({
      plugins: {
        'acme.buggy': () => {
          throw cause;
        },
      },
    });
    const error = catchError(() =>
      registry.get('acme.buggy')?.(makeSignal({})),
    ) as TransformError;

    it('converts it into a failed TransformError', () => {
      expect(error).toBeInstanceOf(TransformError);
      expect(error.code).toBe(TRANSFORM_ERROR_CODES.failed);
      expect(error.transform).toBe('acme.buggy');
    });

    it('keeps the original error as cause', () => {
      expect(error.cause).toBe(cause);
      expect(error.message).toContain('index out of range');
    });
  });

  it('reject a plugin that returns a promise', async () => {
    let settle: (value: unknown) => void = () => undefined;
    const pending = new Promise((resolve) => {
      settle = resolve;
    });
    const registry = createTransformRegistry({
      plugins: { 'acme.async': () => pending },
    });

    const error = catchError(() =>
      registry.get('acme.async')?.(makeSignal({})),
    ) as TransformError;
    settle({});
    await pending;

    expect(error.code).toBe(TRANSFORM_ERROR_CODES.failed);
    expect(error.message).toContain('synchronously');
  });

  it('keep a rejected plugin promise from going unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const registry = createTransformRegistry({
        plugins: { 'acme.async': () => Promise.reject(new Error('late')) },
      });
      expect(() => registry.get('acme.async')?.(makeSignal({}))).toThrow(
        TransformError,
      );
      // Unhandled rejections are reported after the microtask queue drains.
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('convert a built-in failure into a TransformError', () => {
    const registry = createTransformRegistry({ pagerduty: PAGERDUTY_CONFIG });
    const error = catchError(() =>
      registry.get('pagerduty.resolve')?.(makeSignal({})),
    );
    expect(error).toBeInstanceOf(TransformError);
  });
});
