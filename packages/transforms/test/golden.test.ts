import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  BUILT_IN_TRANSFORM_NAMES,
  createTransformRegistry,
  type SignalLike,
} from '../src';
import { PAGERDUTY_CONFIG } from './fixtures';

interface GoldenCase {
  readonly transform: string;
  readonly signal: SignalLike;
  readonly expected: unknown;
}

const GOLDEN_DIR = join(__dirname, 'golden');
const goldenFiles = readdirSync(GOLDEN_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort();

function readGolden(file: string): GoldenCase {
  return JSON.parse(readFileSync(join(GOLDEN_DIR, file), 'utf8')) as GoldenCase;
}

describe('built-in transforms against golden files', () => {
  const registry = createTransformRegistry({ pagerduty: PAGERDUTY_CONFIG });

  it.each(goldenFiles)('%s matches its expected body', (file) => {
    const golden = readGolden(file);
    const transform = registry.get(golden.transform);

    expect(transform).toBeDefined();
    // A JSON round trip drops what JSON cannot carry, as the wire does.
    const body: unknown = JSON.parse(
      JSON.stringify(transform?.(golden.signal)),
    );
    expect(body).toEqual(golden.expected);
  });

  it('covers every built-in transform', () => {
    const covered = new Set(
      goldenFiles.map((file) => readGolden(file).transform),
    );
    for (const name of BUILT_IN_TRANSFORM_NAMES) {
      expect(covered).toContain(name);
    }
  });
});
