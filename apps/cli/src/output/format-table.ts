/** Gap between two columns. */
const COLUMN_GAP = '  ';

/**
 * Formats rows under a header as columns padded to their widest cell, one
 * line each, with a final newline. Control characters in cells become `?`,
 * so values from the API cannot move the cursor or clear the terminal.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const lines = [header, ...rows].map((row) => row.map(cleanCell));
  const widths = header.map((_, column) =>
    Math.max(...lines.map((line) => line[column]?.length ?? 0)),
  );
  return lines
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join(COLUMN_GAP)
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** Formats name and value pairs as two columns without a header. */
export function formatFields(
  fields: readonly (readonly [string, string])[],
): string {
  const lines = fields.map(([name, value]) => [name, cleanCell(value)]);
  const width = Math.max(0, ...lines.map(([name]) => name!.length));
  return lines
    .map(([name, value]) => `${name!.padEnd(width)}${COLUMN_GAP}${value}`)
    .map((line) => line.trimEnd())
    .join('\n')
    .concat('\n');
}

function cleanCell(cell: string): string {
  // Matching control characters is the point of this pattern.
  // eslint-disable-next-line no-control-regex
  return cell.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
