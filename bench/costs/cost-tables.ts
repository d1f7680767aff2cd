import { formatMarkdownTable } from '../markdown-table';
import type { CostPhase, CostReport, ProcessCosts } from './cost-report';

type NumericKey = {
  [K in keyof ProcessCosts]: ProcessCosts[K] extends number ? K : never;
}[keyof ProcessCosts];

/** Rows of the cost table: label, field, digits shown. */
const COST_ROWS: readonly (readonly [string, NumericKey, number])[] =
  Object.freeze([
    ['Redis round trips (write flights)', 'redisRoundTrips', 1],
    ['Redis commands sent', 'redisCommands', 1],
    ['commands run inside Lua scripts', 'redisScriptCommands', 1],
    ['bytes to Redis', 'bytesToRedis', 0],
    ['bytes from Redis', 'bytesFromRedis', 0],
    ['JSON.parse calls', 'jsonParseCalls', 1],
    ['JSON.parse input chars', 'jsonParseChars', 0],
    ['JSON.stringify calls', 'jsonStringifyCalls', 1],
    ['JSON.stringify output chars', 'jsonStringifyChars', 0],
    ['heap allocated (bytes)', 'allocatedBytes', 0],
    ['CPU time (ms)', 'cpuMs', 2],
  ]);

/** Commands listed per app, most frequent first. */
const TOP_COMMANDS = 8;

/** Renders the cost measurement as Markdown: one table per phase. */
export function renderCosts(report: CostReport): string {
  return report.phases.map(renderPhase).join('\n\n');
}

function renderPhase(phase: CostPhase): string {
  const apps = Object.keys(phase.perSignal);
  const table = formatMarkdownTable(
    ['per signal', ...apps, 'all'],
    COST_ROWS.map(([label, key, digits]) => {
      const values = apps.map((app) => phase.perSignal[app]?.[key] ?? 0);
      const total = values.reduce((sum, value) => sum + value, 0);
      return [
        label,
        ...[...values, total].map((value) => format(value, digits)),
      ];
    }),
  );
  const commands = apps.map((app) => {
    const costs = phase.perSignal[app];
    if (!costs) return '';
    return `- ${app}: ${topCommands(costs.commandsByName)}; inside scripts: ${topCommands(costs.scriptCommandsByName)}`;
  });
  return [
    `#### ${phase.name}: ${phase.signals} signals, one delivery each`,
    '',
    table,
    '',
    'Commands per signal, most frequent first:',
    '',
    ...commands,
  ].join('\n');
}

/** Lists the most frequent commands as `name count`, counts per signal. */
export function topCommands(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts)
    .filter(([, count]) => count >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_COMMANDS);
  if (entries.length === 0) return 'none';
  return entries
    .map(([name, count]) => `${name} ${count.toFixed(1)}`)
    .join(', ');
}

function format(value: number, digits: number): string {
  return digits === 0
    ? Math.round(value).toLocaleString('en-US')
    : value.toFixed(digits);
}
