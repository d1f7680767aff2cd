import path from 'node:path';
import type {
  HookDecision,
  PluginSignal,
  PreDispatchHook,
  SignalpostPlugin,
} from './plugin';

/** Raised at start when the plugin module is missing, throws or is malformed. */
export class PluginLoadError extends Error {
  readonly code = 'SIGNALPOST_ERR_PLUGIN_LOAD';
  /** The module as `SIGNALPOST_PLUGINS` names it. */
  readonly module: string;

  constructor(module: string, message: string, options?: { cause?: unknown }) {
    super(`plugin module ${module}: ${message}`, options);
    this.name = 'PluginLoadError';
    this.module = module;
  }
}

/** The loaded plugin, normalised. */
export interface LoadedPlugins {
  readonly transforms: Readonly<
    Record<string, (signal: PluginSignal) => unknown>
  >;
  readonly hooks: readonly PreDispatchHook[];
}

/** No plugins: what apps use when `SIGNALPOST_PLUGINS` is unset. */
export const NO_PLUGINS: LoadedPlugins = Object.freeze({
  transforms: {},
  hooks: [],
});

/**
 * Loads the module `SIGNALPOST_PLUGINS` names: a path (relative to the working
 * directory) or a package name. A TypeScript module needs tsx loaded
 * (`--import tsx`), which `npm start` adds for a `.ts` path.
 * Throws {@link PluginLoadError} naming the module when it cannot be loaded.
 */
export function loadPlugins(
  specifier: string | undefined,
  cwd = process.cwd(),
): LoadedPlugins {
  if (!specifier) return NO_PLUGINS;
  const resolved =
    specifier.startsWith('.') || path.isAbsolute(specifier)
      ? path.resolve(cwd, specifier)
      : specifier;
  let exported: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exported = require(require.resolve(resolved, { paths: [cwd] }));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND'
        ? 'not found'
        : 'threw while loading';
    throw new PluginLoadError(
      specifier,
      `${reason}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return normalize(specifier, exported);
}

function normalize(specifier: string, exported: unknown): LoadedPlugins {
  const module = exported as { default?: unknown } & SignalpostPlugin;
  const plugin = (
    module.default && typeof module.default === 'object'
      ? module.default
      : module
  ) as SignalpostPlugin;
  const transforms = plugin.transforms ?? {};
  const hooks = plugin.hooks ?? [];
  if (
    typeof transforms !== 'object' ||
    Object.values(transforms).some((item) => typeof item !== 'function')
  ) {
    throw new PluginLoadError(
      specifier,
      '`transforms` must map names to functions',
    );
  }
  if (
    !Array.isArray(hooks) ||
    hooks.some((item) => typeof item !== 'function')
  ) {
    throw new PluginLoadError(specifier, '`hooks` must be a list of functions');
  }
  return Object.freeze({ transforms: { ...transforms }, hooks: [...hooks] });
}

/**
 * Runs the hooks in order; the first decision other than `continue` wins. A
 * hook that throws or returns something unknown is reported as an error.
 */
export async function runHooks(
  hooks: readonly PreDispatchHook[],
  context: Parameters<PreDispatchHook>[0],
): Promise<HookDecision> {
  for (const hook of hooks) {
    const decision = await hook(context);
    if (decision?.action === 'continue') continue;
    if (decision?.action === 'drop') return decision;
    if (
      decision?.action === 'delay' &&
      Number.isFinite(decision.delayMs) &&
      decision.delayMs >= 0
    )
      return decision;
    throw new Error(
      `a pre-dispatch hook returned ${JSON.stringify(decision)}; expected continue, delay or drop`,
    );
  }
  return { action: 'continue' };
}
