/** Column alignment of {@link formatMarkdownTable}. */
export type Alignment = 'left' | 'right';

/**
 * Formats rows as a Markdown table with padded columns, readable in a
 * terminal and ready to paste into a document. `align` defaults to left
 * for the first column and right for the others, as numbers read best.
 * @throws RangeError when a row has more cells than there are headers.
 */
export function formatMarkdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Alignment[] = headers.map((_, index) =>
    index === 0 ? 'left' : 'right',
  ),
): string {
  for (const row of rows) {
    if (row.length > headers.length) {
      throw new RangeError(
        `a row has ${row.length} cells but the table has ${headers.length} columns`,
      );
    }
  }
  const cells = [headers, ...rows].map((row) =>
    headers.map((_, index) => escapeCell(row[index] ?? '')),
  );
  const widths = headers.map((_, index) =>
    Math.max(3, ...cells.map((row) => (row[index] as string).length)),
  );
  const line = (row: readonly string[]): string =>
    `| ${row.map((cell, index) => pad(cell, widths[index] as number, align[index] ?? 'left')).join(' | ')} |`;
  const rule = `| ${widths.map((width, index) => ruleCell(width, align[index] ?? 'left')).join(' | ')} |`;
  const [head, ...body] = cells;
  return [line(head as string[]), rule, ...body.map(line)].join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function pad(text: string, width: number, align: Alignment): string {
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

function ruleCell(width: number, align: Alignment): string {
  return align === 'right' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width);
}
