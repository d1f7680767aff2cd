/** One sample line of the Prometheus text exposition format. */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL_PAIR = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parses the sample lines of a Prometheus text exposition (version 0.0.4,
 * what prom-client 15 writes), skipping `# HELP` and `# TYPE` comments.
 * Label values keep their escapes undone: `\\`, `\"` and `\n`.
 *
 * @throws Error naming the line when a non-comment line is not a sample
 */
export function parseMetricSamples(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a metric sample: ${line}`);
    const [, name = '', labelText = '', value = ''] = match;
    samples.push({
      name,
      labels: parseLabels(labelText),
      value: Number(value),
    });
  }
  return samples;
}

/** Names declared by the `# TYPE` comments of an exposition. */
export function declaredMetricNames(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('# TYPE '))
    .map((line) => line.split(' ')[2] ?? '');
}

/** Fetches the exposition text at `url`, which must respond with 200. */
export async function scrapeMetrics(url: string): Promise<string> {
  const response = await fetch(url);
  if (response.status !== 200) {
    throw new Error(`GET ${url} returned status ${response.status}`);
  }
  return response.text();
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(LABEL_PAIR)) {
    const [, name = '', raw = ''] = match;
    labels[name] = raw.replace(/\\(["\\n])/g, (_, escaped: string) =>
      escaped === 'n' ? '\n' : escaped,
    );
  }
  return labels;
}
