import {
  blockSize,
  deleteLiteral,
  findLiteral,
  hasRoomFor,
  insertLiteral,
  NO_BLOCK,
  writeBlock,
  type BlockFields,
} from '../src/trie-layout';

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];

// Hashes chosen to collide in a table of eight slots, where the home slot
// is the hash modulo 8. The cases are a cluster that wraps from slot 7 to
// slot 0, two clusters that merge, and one home slot shared by every key.
const COLLIDING_HASHES: [name: string, hashes: number[]][] = [
  ['a cluster that wraps around', [7, 7, 0, 6, 7, 0]],
  ['clusters that merge', [3, 3, 4, 3, 5, 4]],
  ['one home slot for all', [2, 2, 2, 2, 2, 2]],
  ['distinct home slots', [0, 1, 2, 3, 4, 5]],
];

function fields(key: string, literalCount: number): BlockFields {
  return {
    key,
    isMulti: false,
    hasWildcardChildren: false,
    literalCount,
    valueStart: 0,
    valueEnd: 0,
  };
}

// Writes a parent block at offset 0 whose table has eight slots, and one
// child block per key, inserted with the given hashes.
function tableWith(hashes: number[]): {
  layout: Int32Array;
  children: number[];
} {
  const layout = new Int32Array(256);
  const parent = fields('', KEYS.length);
  writeBlock(layout, 0, parent);
  let next = blockSize(parent);
  const children = KEYS.map((key, index) => {
    const child = next;
    writeBlock(layout, child, fields(key, 0));
    next += blockSize(fields(key, 0));
    insertLiteral(layout, 0, hashes[index]!, child);
    return child;
  });
  return { layout, children };
}

function find(layout: Int32Array, hash: number, index: number): number {
  const key = KEYS[index]!;
  return findLiteral(layout, 0, hash, key, 0, key.length);
}

describe('literal table', () => {
  it('has room for six children in eight slots', () => {
    const { layout } = tableWith([0, 1, 2, 3, 4, 5]);

    expect(hasRoomFor(layout, 0, 6)).toBe(true);
    expect(hasRoomFor(layout, 0, 7)).toBe(false);
  });

  describe.each(COLLIDING_HASHES)('with %s', (_name, hashes) => {
    it('finds every key', () => {
      const { layout, children } = tableWith(hashes);

      children.forEach((child, index) => {
        expect(find(layout, hashes[index]!, index)).toBe(child);
      });
    });

    it.each(KEYS.map((_key, index) => index))(
      'finds the rest after deleting key %i',
      (deleted) => {
        const { layout, children } = tableWith(hashes);

        deleteLiteral(layout, 0, hashes[deleted]!, KEYS[deleted]!);

        children.forEach((child, index) => {
          const expected = index === deleted ? NO_BLOCK : child;
          expect(find(layout, hashes[index]!, index)).toBe(expected);
        });
      },
    );

    it('finds the rest while deleting all in turn', () => {
      const { layout, children } = tableWith(hashes);

      for (let deleted = 0; deleted < KEYS.length; deleted += 1) {
        deleteLiteral(layout, 0, hashes[deleted]!, KEYS[deleted]!);
        children.forEach((child, index) => {
          const expected = index <= deleted ? NO_BLOCK : child;
          expect(find(layout, hashes[index]!, index)).toBe(expected);
        });
      }
    });

    it('takes new keys after deletions', () => {
      const { layout, children } = tableWith(hashes);
      deleteLiteral(layout, 0, hashes[0]!, KEYS[0]!);
      deleteLiteral(layout, 0, hashes[3]!, KEYS[3]!);

      insertLiteral(layout, 0, hashes[3]!, children[3]!);

      expect(find(layout, hashes[0]!, 0)).toBe(NO_BLOCK);
      expect(find(layout, hashes[3]!, 3)).toBe(children[3]);
      expect(find(layout, hashes[5]!, 5)).toBe(children[5]);
    });
  });
});
