import { formatMarkdownTable } from '../../bench/markdown-table';

describe('formatMarkdownTable', () => {
  it('pads columns and right-aligns numbers', () => {
    const table = formatMarkdownTable(
      ['name', 'rate'],
      [
        ['end-to-end', '5'],
        ['x', '1,234'],
      ],
    );
    expect(table.split('\n')).toEqual([
      '| name       |  rate |',
      '| ---------- | ----: |',
      '| end-to-end |     5 |',
      '| x          | 1,234 |',
    ]);
  });

  it('escapes pipes and newlines in cells', () => {
    const table = formatMarkdownTable(['a'], [['x|y\nz']], ['left']);
    expect(table).toContain('| x\\|y z |');
  });

  it('fills missing cells with blanks', () => {
    const table = formatMarkdownTable(['a', 'b'], [['only']]);
    expect(table.split('\n')[2]).toBe('| only |     |');
  });

  it('rejects a row wider than the headers', () => {
    expect(() => formatMarkdownTable(['a'], [['1', '2']])).toThrow(
      'a row has 2 cells but the table has 1 columns',
    );
  });
});
