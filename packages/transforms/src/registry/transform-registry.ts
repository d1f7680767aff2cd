import type { SignalLike } from '../signal-like';
import { describeType } from '../data-fields';
import {
  TRANSFORM_ERROR_CODES,
  TransformError,
  transformFailed,
} from '../errors/transform-error';
import {
  resolvePagerDutyConfig,
  type PagerDutyConfig,
} from '../pagerduty/pagerduty-config';
import {
  PAGERDUTY_RESOLVE,
  createPagerDutyResolve,
} from '../pagerduty/pagerduty-resolve';
import {
  PAGERDUTY_TRIGGER,
  createPagerDutyTrigger,
} from '../pagerduty/pagerduty-trigger';
import { SLACK_DEPLOYMENT, slackDeployment } from '../slack/slack-deployment';
import { SLACK_ERROR, slackError } from '../slack/slack-error';
import { SLACK_MILESTONE, slackMilestone } from '../slack/slack-milestone';

/** Names of the built-in transforms, which plugins may not reuse. */
export const BUILT_IN_TRANSFORM_NAMES: readonly string[] = Object.freeze([
  PAGERDUTY_TRIGGER,
  PAGERDUTY_RESOLVE,
  SLACK_DEPLOYMENT,
  SLACK_ERROR,
  SLACK_MILESTONE,
]);

/** Maximum length of a transform name. */
export const MAX_TRANSFORM_NAME_LENGTH = 128;

const TRANSFORM_NAME_PATTERN = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/**
 * A transform: turns a signal into the body sent to a target. It runs
 * synchronously. Throwing TransformError means that the delivery is
 * dead-lettered with reason `transform_failed`.
 */
export type TransformFn = (signal: SignalLike) => unknown;

/** Options of {@link createTransformRegistry}. */
export interface TransformRegistryOptions {
  /**
   * Options of the PagerDuty transforms.
   *
   * @defaultValue `{}`, with which the PagerDuty transforms fail for lack of
   *   a routing key
   */
  readonly pagerduty?: PagerDutyConfig;
  /**
   * Plugin transforms by name. A name is dot-separated segments of
   * `[A-Za-z0-9_-]`, at most 128 characters, and not a built-in name.
   *
   * @defaultValue `{}`
   */
  readonly plugins?: Readonly<Record<string, TransformFn>>;
}

/** Built-in and plugin transforms by name. */
export interface TransformRegistry {
  /** Returns the named transform, or `undefined` when there is none. */
  get(name: string): TransformFn | undefined;
  /** Returns the names of all transforms, sorted. */
  names(): string[];
}

/**
 * Creates a frozen registry of the built-in transforms and the given plugin
 * transforms. Every transform it returns either returns a body or throws
 * TransformError. Other errors and asynchronous results are converted into
 * a TransformError with code `SIGNALPOST_ERR_TRANSFORM_FAILED`.
 *
 * @throws TransformError with code `SIGNALPOST_ERR_TRANSFORM_CONFIG_INVALID`
 *   when an option is invalid, or `SIGNALPOST_ERR_TRANSFORM_NAME_CONFLICT`
 *   when a plugin name is invalid or reuses a built-in name
 */
export function createTransformRegistry(
  options: TransformRegistryOptions = {},
): TransformRegistry {
  const transforms = new Map<string, TransformFn>();
  for (const [name, transform] of createBuiltIns(options.pagerduty)) {
    transforms.set(name, guardTransform(name, transform));
  }
  for (const [name, transform] of readPlugins(options.plugins)) {
    transforms.set(name, guardTransform(name, transform));
  }

  const names = Object.freeze([...transforms.keys()].sort());
  return Object.freeze({
    get: (name: string) => transforms.get(name),
    names: () => [...names],
  });
}

function createBuiltIns(
  pagerduty: PagerDutyConfig | undefined,
): [string, TransformFn][] {
  const config = resolvePagerDutyConfig(pagerduty);
  return [
    [PAGERDUTY_TRIGGER, createPagerDutyTrigger(config)],
    [PAGERDUTY_RESOLVE, createPagerDutyResolve(config)],
    [SLACK_DEPLOYMENT, slackDeployment],
    [SLACK_ERROR, slackError],
    [SLACK_MILESTONE, slackMilestone],
  ];
}

function readPlugins(plugins: unknown): [string, TransformFn][] {
  if (plugins === undefined) {
    return [];
  }
  if (
    typeof plugins !== 'object' ||
    plugins === null ||
    Array.isArray(plugins)
  ) {
    throw new TransformError(
      TRANSFORM_ERROR_CODES.configInvalid,
      `plugins must be an object of transform names to functions, got ${describeType(plugins)}`,
    );
  }
  return Object.entries(plugins).map(([name, transform]) => {
    validatePluginName(name);
    if (typeof transform !== 'function') {
      throw new TransformError(
        TRANSFORM_ERROR_CODES.configInvalid,
        `Plugin transform ${JSON.stringify(name)} must be a function, got ${describeType(transform)}`,
      );
    }
    return [name, transform as TransformFn];
  });
}

function validatePluginName(name: string): void {
  const quoted = JSON.stringify(name);
  if (BUILT_IN_TRANSFORM_NAMES.includes(name)) {
    throw nameConflict(
      `Plugin transform ${quoted} reuses the name of a built-in transform. Rename the plugin transform`,
    );
  }
  if (
    name.length > MAX_TRANSFORM_NAME_LENGTH ||
    !TRANSFORM_NAME_PATTERN.test(name)
  ) {
    throw nameConflict(
      `Plugin transform name ${quoted} is invalid. Use dot-separated segments of letters, digits, _ and -, at most ${MAX_TRANSFORM_NAME_LENGTH} characters`,
    );
  }
}

function guardTransform(name: string, transform: TransformFn): TransformFn {
  return (signal) => {
    let body: unknown;
    try {
      body = transform(signal);
    } catch (error) {
      throw error instanceof TransformError
        ? error
        : transformFailed(
            name,
            `Transform ${name} failed: ${describeError(error)}`,
            error,
          );
    }

    if (isThenable(body)) {
      // The transform has failed already, so the promise's outcome is dropped
      // and a later rejection cannot become an unhandled rejection.
      body.then(undefined, () => undefined);
      throw transformFailed(
        name,
        `Transform ${name} returned a promise, but transforms must return their body synchronously`,
      );
    }
    return body;
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function describeError(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
}

function nameConflict(message: string): TransformError {
  return new TransformError(TRANSFORM_ERROR_CODES.nameConflict, message);
}
