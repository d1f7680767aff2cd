/**
 * `npm run build`: bundles each app's entry point with esbuild into
 * `dist/<app>.js`, so production runs compiled JavaScript
 * (`node dist/worker.js`) without loading tsx into every process. The
 * workspace packages (`@signalpost/*`, TypeScript under packages/) go into
 * each bundle. Every other package stays external and is loaded from
 * node_modules at run time, so the bundles still need the root
 * package.json's dependencies installed (`npm ci --omit=dev`).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { build, type OutputFile, type Plugin } from 'esbuild';

const ROOT = path.resolve(__dirname, '..');

/** Output folder of `npm run build`. */
export const DIST_DIR = path.join(ROOT, 'dist');

/** One bundle: a TypeScript entry point and where its output goes. */
export interface BundleEntry {
  /** Output path relative to the output folder, without `.js`: `worker`. */
  readonly name: string;
  /** Entry point, relative to the repository root. */
  readonly source: string;
}

/** The apps that production runs, each bundled into `dist/<app>.js`. */
export const APP_BUNDLES: readonly BundleEntry[] = Object.freeze(
  ['api', 'router', 'worker', 'monitor'].map((app) => ({
    name: app,
    source: `apps/${app}/src/main.ts`,
  })),
);

/** Options of {@link buildBundles}. */
export interface BuildOptions {
  /** @defaultValue {@link APP_BUNDLES} */
  readonly entries?: readonly BundleEntry[];
  /** Output folder. @defaultValue {@link DIST_DIR} */
  readonly outdir?: string;
  /**
   * Level of esbuild's own log; a failed build rejects either way.
   * @defaultValue 'warning'
   */
  readonly logLevel?: 'warning' | 'silent';
}

/** A bundle that {@link buildBundles} wrote. */
export interface BuiltBundle {
  readonly name: string;
  /** Absolute path of the JavaScript file. */
  readonly file: string;
  readonly bytes: number;
  /** Source files bundled into it. */
  readonly inputs: number;
}

/**
 * Returns the path of a bundle's JavaScript file, `<outdir>/<name>.js`.
 */
export function bundleFile(name: string, outdir: string = DIST_DIR): string {
  return path.join(outdir, `${name}.js`);
}

/**
 * Bundles each entry into `<outdir>/<name>.js` with a linked source map.
 * Each file is written to a temporary name and renamed over the old one,
 * so a process that starts during a build reads the old file or the new
 * one, never half of one.
 * @throws Error when esbuild fails, or when a bundle imports a package
 *   that is not in the root package.json's dependencies
 */
export async function buildBundles(
  options: BuildOptions = {},
): Promise<BuiltBundle[]> {
  const entries = options.entries ?? APP_BUNDLES;
  const outdir = options.outdir ?? DIST_DIR;
  const dependencies = await readDependencies();
  const logLevel = options.logLevel ?? 'warning';
  return Promise.all(
    entries.map((entry) => buildBundle(entry, outdir, dependencies, logLevel)),
  );
}

async function buildBundle(
  entry: BundleEntry,
  outdir: string,
  dependencies: ReadonlySet<string>,
  logLevel: 'warning' | 'silent',
): Promise<BuiltBundle> {
  const outfile = bundleFile(entry.name, outdir);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, entry.source)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    keepNames: true,
    metafile: true,
    write: false,
    logLevel,
    plugins: [externalPackages(dependencies)],
  });
  // The map goes first, so a new bundle never points at a missing map.
  const files = [...result.outputFiles].sort(
    (left, right) => Number(isMap(right)) - Number(isMap(left)),
  );
  for (const file of files) await replaceFile(file);

  const output = result.metafile.outputs[path.relative(ROOT, outfile)];
  return {
    name: entry.name,
    file: outfile,
    bytes: output?.bytes ?? 0,
    inputs: Object.keys(output?.inputs ?? {}).length,
  };
}

/**
 * Marks every bare import but `@signalpost/*` external. A package the
 * root package.json lists only under devDependencies fails the build,
 * because the runtime image installs dependencies only.
 */
function externalPackages(dependencies: ReadonlySet<string>): Plugin {
  return {
    name: 'external-packages',
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('@signalpost/')) return undefined;
        if (isBuiltin(args.path)) return { path: args.path, external: true };

        const name = packageName(args.path);
        if (dependencies.has(name)) return { path: args.path, external: true };
        return {
          errors: [
            {
              text: `${name} is imported by ${path.relative(ROOT, args.importer)} but is not in the dependencies of package.json, so npm ci --omit=dev would not install it; add it there`,
            },
          ],
        };
      });
    },
  };
}

async function readDependencies(): Promise<Set<string>> {
  const manifest = JSON.parse(
    await readFile(path.join(ROOT, 'package.json'), 'utf8'),
  ) as { dependencies?: Record<string, string> };
  return new Set(Object.keys(manifest.dependencies ?? {}));
}

/** Returns the package of an import: `pino` for `pino/file`, `@a/b` for `@a/b/c`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@')
    ? parts.slice(0, 2).join('/')
    : (parts[0] ?? specifier);
}

async function replaceFile(file: OutputFile): Promise<void> {
  const temporary = `${file.path}.${process.pid}.tmp`;
  await mkdir(path.dirname(file.path), { recursive: true });
  await writeFile(temporary, file.contents);
  await rename(temporary, file.path);
}

function isMap(file: OutputFile): boolean {
  return file.path.endsWith('.map');
}

async function main(): Promise<void> {
  const startedMs = performance.now();
  const bundles = await buildBundles();
  for (const bundle of bundles) {
    const kib = (bundle.bytes / 1024).toFixed(0);
    process.stdout.write(
      `built ${path.relative(ROOT, bundle.file)}: ${kib} KiB from ${bundle.inputs} source files\n`,
    );
  }
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
  process.stdout.write(`built ${bundles.length} bundles in ${seconds} s\n`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    // esbuild has already printed its errors with their source locations.
    process.stderr.write(`build failed: ${error.message}\n`);
    process.exit(1);
  });
}
