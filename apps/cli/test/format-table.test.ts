import { formatFields, formatTable } from '../src/output/format-table';

describe('formatTable', () => {
  it('pads every column to its widest cell', () => {
    const text = formatTable(
      ['ID', 'PATTERN'],
      [
        ['orders', 'order.**'],
        ['a', 'b'],
      ],
    );
    expect(text).toBe('ID      PATTERN\norders  order.**\na       b\n');
  });

  it('prints the header alone when there are no rows', () => {
    expect(formatTable(['ID', 'NAME'], [])).toBe('ID  NAME\n');
  });

  it('replaces control characters in cells', () => {
    const text = formatTable(['ID'], [['a\u001b[2Jb\nc']]);
    expect(text).toBe('ID\na?[2Jb?c\n');
  });
});

describe('formatFields', () => {
  it('aligns the values after the longest name', () => {
    const text = formatFields([
      ['published', '50'],
      ['rate', '12 signals/s'],
    ]);
    expect(text).toBe('published  50\nrate       12 signals/s\n');
  });
});
