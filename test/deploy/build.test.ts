import { spawn } from 'node:child_process';
import { isBuiltin } from 'node:module';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  APP_BUNDLES,
  DIST_DIR,
  bundleFile,
  buildBundles,
  type BuiltBundle,
} from '../../scripts/build';
import { findClosedPort } from '../support/closed-port';

const ROOT = path.resolve(__dirname, '../..');
/** Generous bound on one bundle's start and exit, which take about 1 s. */
const RUN_TIMEOUT_MS = 15_000;
/** Messages that mean a bundle failed to load, not to start. */
const LOAD_FAILURES = ['Cannot find module', 'ENOENT', 'SyntaxError'];
/** A plugin that loads but is malformed, so the app stops before Redis. */
const MALFORMED_PLUGIN_JS = "module.exports = { hooks: 'not a list' };\n";
const MALFORMED_PLUGIN_TS =
  "const hooks: string = 'not a list';\nexport { hooks };\n";
const MALFORMED_PLUGIN_ERROR = '`hooks` must be a list of functions';

interface NodeRun {
  readonly code: number | null;
  readonly stderr: string;
}

const dependencies = Object.keys(
  (
    JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    }
  ).dependencies,
);

let outdir = '';
let pluginDir = '';
let built: BuiltBundle[] = [];
let closedRedisUrl = '';

beforeAll(async () => {
  // Inside the repository, so the bundles find node_modules as dist/ does.
  mkdirSync(DIST_DIR, { recursive: true });
  outdir = mkdtempSync(path.join(DIST_DIR, 'build-test-'));
  pluginDir = mkdtempSync(path.join(tmpdir(), 'signalpost-build-test-'));
  built = await buildBundles({ outdir });
  closedRedisUrl = `redis://127.0.0.1:${await findClosedPort()}`;
  writeFileSync(path.join(pluginDir, 'plugin.js'), MALFORMED_PLUGIN_JS);
  writeFileSync(path.join(pluginDir, 'plugin.ts'), MALFORMED_PLUGIN_TS);
}, 60_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
  if (pluginDir) rmSync(pluginDir, { recursive: true, force: true });
});

describe('buildBundles', () => {
  it('builds every app', () => {
    expect(built.map((bundle) => bundle.name).sort()).toEqual(
      APP_BUNDLES.map((entry) => entry.name).sort(),
    );
  });

  it.each(APP_BUNDLES)('writes $name with a source map', ({ name }) => {
    const file = bundleFile(name, outdir);

    expect(existsSync(file)).toBe(true);
    expect(existsSync(`${file}.map`)).toBe(true);
    expect(readBundle(name)).toContain(
      `//# sourceMappingURL=${path.basename(file)}.map`,
    );
  });

  it.each(APP_BUNDLES)(
    'bundles every @signalpost package into $name',
    ({ name }) => {
      const workspaceRequires = requiredModules(readBundle(name)).filter(
        (module) => module.startsWith('@signalpost/'),
      );

      expect(workspaceRequires).toEqual([]);
    },
  );

  it.each(APP_BUNDLES)('requires only dependencies from $name', ({ name }) => {
    const unlisted = requiredModules(readBundle(name)).filter(
      (module) =>
        !isBuiltin(module) && !dependencies.includes(packageName(module)),
    );

    expect(unlisted).toEqual([]);
  });

  it.each(APP_BUNDLES)(
    'inlines no node_modules code into $name',
    ({ name }) => {
      // esbuild starts each inlined module with a `// <path>` comment.
      const inlined = readBundle(name).match(/^\/\/ .*node_modules\/.*$/gm);

      expect(inlined).toBeNull();
    },
  );

  it('rejects a package that only devDependencies list', async () => {
    const entry = path.join(outdir, 'dev-import.ts');
    writeFileSync(entry, "import fc from 'fast-check';\nconsole.log(fc);\n");
    const build = buildBundles({
      entries: [{ name: 'dev-import', source: path.relative(ROOT, entry) }],
      outdir,
      logLevel: 'silent',
    });

    await expect(build).rejects.toThrow(
      /fast-check is imported by .*dev-import\.ts but is not in the dependencies/,
    );
    expect(existsSync(bundleFile('dev-import', outdir))).toBe(false);
  });

  it('leaves no temporary files behind', () => {
    const leftovers = built.filter((bundle) =>
      existsSync(`${bundle.file}.${process.pid}.tmp`),
    );

    expect(leftovers).toEqual([]);
  });
});

describe('a built bundle', () => {
  it.each(APP_BUNDLES)(
    '$name exits with its config error',
    async ({ name }) => {
      const run = await runBundle(name, { PORT: 'not-a-port' });

      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `signalpost ${name} failed to start: PORT: expected an integer`,
      );
      expectNoLoadFailure(run);
    },
  );

  it('starts from another working directory', async () => {
    const run = await runBundle(
      'worker',
      { WORKER_CONCURRENCY: 'many' },
      {
        cwd: pluginDir,
      },
    );

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'signalpost worker failed to start: WORKER_CONCURRENCY',
    );
    expectNoLoadFailure(run);
  });

  it('loads a JavaScript plugin from the working directory', async () => {
    const run = await runBundle(
      'worker',
      { SIGNALPOST_PLUGINS: './plugin.js' },
      {
        cwd: pluginDir,
      },
    );

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `plugin module ./plugin.js: ${MALFORMED_PLUGIN_ERROR}`,
    );
  });

  it('loads a TypeScript plugin with NODE_OPTIONS=--import=tsx', async () => {
    const plugin = path.join(pluginDir, 'plugin.ts');
    const run = await runBundle('worker', {
      SIGNALPOST_PLUGINS: plugin,
      NODE_OPTIONS: '--import=tsx',
    });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `plugin module ${plugin}: ${MALFORMED_PLUGIN_ERROR}`,
    );
  });
});

function readBundle(name: string): string {
  return readFileSync(bundleFile(name, outdir), 'utf8');
}

/** Lists the modules a bundle loads with a literal `require("...")`. */
function requiredModules(text: string): string[] {
  const modules = [...text.matchAll(/\brequire\("([^"]+)"\)/g)].map(
    (match) => match[1] as string,
  );
  return [...new Set(modules)].sort();
}

/** Returns the package of an import: `pino` for `pino/file`, `@a/b` for `@a/b/c`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  const length = specifier.startsWith('@') ? 2 : 1;
  return parts.slice(0, length).join('/');
}

function expectNoLoadFailure(run: NodeRun): void {
  for (const failure of LOAD_FAILURES)
    expect(run.stderr).not.toContain(failure);
}

/**
 * Runs `node <outdir>/<name>.js` with Redis on a closed port, and returns
 * its exit code and standard error. Kills it after {@link RUN_TIMEOUT_MS}.
 */
function runBundle(
  name: string,
  env: Record<string, string>,
  options: { cwd?: string } = {},
): Promise<NodeRun> {
  const child = spawn(process.execPath, [bundleFile(name, outdir)], {
    cwd: options.cwd ?? ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: closedRedisUrl,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: Buffer.concat(chunks).toString('utf8') });
    });
  });
}
