import { readFileSync } from 'node:fs';
import path from 'node:path';
import { API_ERROR_CODES } from '../src';

const DOCS = path.resolve(__dirname, '../../../docs/errors.md');

/** Rows of the docs table: code, status, meaning, solution. */
function documentedRows(): string[][] {
  return readFileSync(DOCS, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/^`|`$/g, '')),
    );
}

describe('API error registry', () => {
  it('matches docs/errors.md row for row', () => {
    const documented = documentedRows();
    const registered = Object.entries(API_ERROR_CODES).map(
      ([code, definition]) => [
        code,
        String(definition.status),
        definition.meaning,
        definition.solution,
      ],
    );
    expect(documented).toEqual(registered);
  });

  it.each(Object.entries(API_ERROR_CODES))(
    'gives %s a 4xx or 503 status',
    (_code, definition) => {
      expect(
        definition.status === 503 ||
          (definition.status >= 400 && definition.status < 500),
      ).toBe(true);
    },
  );
});
