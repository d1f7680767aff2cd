/**
 * Prints the functions with the most self time in V8 CPU profiles, and the
 * self time per package. Usage:
 *   npx tsx bench/profile-top.ts FILE.cpuprofile|DIR [--top N]
 * A folder is searched for `.cpuprofile` files, and their samples are added
 * up, so a run's profiles of one app can be read together. Frames in a
 * bundle with a source map beside it (`dist/worker.js.map`) are read as the
 * source file and line they came from.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { formatMarkdownTable } from './markdown-table';

/** The parts of a `.cpuprofile` file that self time needs. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly children?: readonly number[];
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
      readonly columnNumber?: number;
    };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time of one function or package. */
export interface SelfTime {
  readonly name: string;
  readonly selfMs: number;
  /** Share of the busy time, 0 to 1: sampled time other than `(idle)`. */
  readonly share: number;
}

/** Result of {@link summarizeProfiles}. */
export interface ProfileSummary {
  readonly totalMs: number;
  /** Sampled time other than `(idle)`, which the shares divide. */
  readonly busyMs: number;
  readonly functions: readonly SelfTime[];
  readonly packages: readonly SelfTime[];
  /**
   * Sampled time charged to the innermost frame of the product's own code
   * (`apps/` or `packages/`) on the stack, so library work counts for the
   * product function that caused it. Samples with no product frame on the
   * stack (idle, timers, GC, BullMQ's own loop) are left out.
   */
  readonly productCallers: readonly SelfTime[];
}

/**
 * Adds up the self time of each sampled node: a sample's time delta is
 * charged to the node that was on top of the stack. Functions are keyed by
 * name, file and line. Packages are keyed by the folder under
 * `node_modules`, the repository folder for the product's own code, or the
 * V8 category such as `(garbage collector)` or `(program)`.
 */
export function summarizeProfiles(
  profiles: readonly CpuProfile[],
  root: string,
): ProfileSummary {
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const byCaller = new Map<string, number>();
  let totalMs = 0;
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const parents = parentsOf(profile);
    profile.samples.forEach((id, index) => {
      const node = nodes.get(id);
      const deltaMs = (profile.timeDeltas[index] ?? 0) / 1000;
      if (!node || deltaMs <= 0) return;
      totalMs += deltaMs;
      add(byFunction, functionKey(node.callFrame, root), deltaMs);
      add(byPackage, packageOf(node.callFrame, root), deltaMs);
      const caller = productCaller(id, nodes, parents, root);
      if (caller) add(byCaller, functionKey(caller.callFrame, root), deltaMs);
    });
  }
  // Each thread's profile (the tsx loader runs its own) is idle most of
  // the time, so shares of busy time compare across runs and threads.
  const busyMs = totalMs - (byFunction.get(IDLE) ?? 0);
  byFunction.delete(IDLE);
  byPackage.delete(IDLE);
  return {
    totalMs,
    busyMs,
    functions: ranked(byFunction, busyMs),
    packages: ranked(byPackage, busyMs),
    productCallers: ranked(byCaller, busyMs),
  };
}

/**
 * Returns the package a frame belongs to, as {@link summarizeProfiles} keys it.
 */
export function packageOf(
  frame: { readonly functionName: string; readonly url: string },
  root: string,
): string {
  const url = frame.url.replace(/^file:\/\//, '');
  if (url === '') {
    return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  }
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1] as string;
  if (url.startsWith('node:')) return 'node core';
  if (url.startsWith(root)) {
    const relative = path.relative(root, url).split(path.sep);
    return relative.slice(0, 2).join('/');
  }
  return url;
}

type ProfileNode = CpuProfile['nodes'][number];

/** The name V8 gives the samples taken while the thread waited. */
const IDLE = '(idle)';

function parentsOf(profile: CpuProfile): Map<number, number> {
  const parents = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parents.set(child, node.id);
  }
  return parents;
}

function productCaller(
  id: number,
  nodes: ReadonlyMap<number, ProfileNode>,
  parents: ReadonlyMap<number, number>,
  root: string,
): ProfileNode | undefined {
  for (
    let current: number | undefined = id;
    current !== undefined;
    current = parents.get(current)
  ) {
    const node = nodes.get(current);
    if (node && isProductFrame(node.callFrame.url, root)) return node;
  }
  return undefined;
}

function isProductFrame(url: string, root: string): boolean {
  const file = url.replace(/^file:\/\//, '');
  return (
    file.startsWith(`${root}/apps/`) || file.startsWith(`${root}/packages/`)
  );
}

function functionKey(
  frame: CpuProfile['nodes'][number]['callFrame'],
  root: string,
): string {
  const name = frame.functionName || '(anonymous)';
  if (frame.url === '') return name;
  const file = frame.url.replace(/^file:\/\//, '').replace(`${root}/`, '');
  // Lines of TypeScript files run through tsx are those of its output, so
  // they are left out, even for frames mapped from a bundle.
  if (file.endsWith('.ts')) return `${name} ${file}`;
  return `${name} ${file}:${frame.lineNumber + 1}`;
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

function ranked(map: Map<string, number>, totalMs: number): SelfTime[] {
  return [...map]
    .map(([name, selfMs]) => ({
      name,
      selfMs,
      share: totalMs > 0 ? selfMs / totalMs : 0,
    }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

/**
 * Lists the `.cpuprofile` files of a file or folder, searching folders deeply.
 */
export function findProfiles(target: string): string[] {
  if (!statSync(target).isDirectory()) return [target];
  return readdirSync(target, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => path.join(target, name))
    .sort();
}

function main(argv: readonly string[]): void {
  const target = argv[0];
  if (!target || target.startsWith('--')) {
    process.stderr.write(
      'usage: npx tsx bench/profile-top.ts FILE.cpuprofile|DIR [--top N]\n',
    );
    process.exit(1);
  }
  const topIndex = argv.indexOf('--top');
  const top = topIndex >= 0 ? Number(argv[topIndex + 1]) : 25;
  const files = findProfiles(target);
  const profiles = files.map((file) =>
    mapBundledFrames(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile),
  );
  const summary = summarizeProfiles(profiles, path.resolve(__dirname, '..'));
  process.stdout.write(
    `${files.length} profile(s), ${(summary.totalMs / 1000).toFixed(2)} s sampled, ${(summary.busyMs / 1000).toFixed(2)} s busy; shares are of the busy time\n\n` +
      `${selfTimeTable('package', summary.packages.slice(0, top))}\n\n` +
      `${selfTimeTable('function', summary.functions.slice(0, top))}\n\n` +
      `${selfTimeTable('nearest product frame', summary.productCallers.slice(0, top))}\n`,
  );
}

/**
 * Returns the profile with each frame of a source-mapped bundle moved to
 * the source file and line it came from. Other frames are kept as they are.
 */
export function mapBundledFrames(profile: CpuProfile): CpuProfile {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string): SourceMap | undefined => {
    if (!maps.has(file)) {
      const mapFile = `${file}.map`;
      maps.set(
        file,
        existsSync(mapFile)
          ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')))
          : undefined,
      );
    }
    return maps.get(file);
  };
  const nodes = profile.nodes.map((node) => {
    const frame = node.callFrame;
    const file = frame.url.replace(/^file:\/\//, '');
    if (!file.endsWith('.js') || frame.lineNumber < 0) return node;
    const sourceMap = mapOf(file);
    const entry = sourceMap?.findEntry(
      frame.lineNumber,
      frame.columnNumber ?? 0,
    );
    if (!entry || !('originalSource' in entry)) return node;
    const source = entry.originalSource.replace(/^file:\/\//, '');
    const url = path.isAbsolute(source)
      ? source
      : path.resolve(path.dirname(file), source);
    return {
      ...node,
      callFrame: { ...frame, url, lineNumber: entry.originalLine },
    };
  });
  return { ...profile, nodes };
}

function selfTimeTable(title: string, rows: readonly SelfTime[]): string {
  return formatMarkdownTable(
    [title, 'self ms', 'share'],
    rows.map((row) => [
      row.name,
      row.selfMs.toFixed(0),
      `${(row.share * 100).toFixed(1)}%`,
    ]),
  );
}

if (require.main === module) main(process.argv.slice(2));
