/**
 * Encoding of a trie node as a block of ints in one shared Int32Array, so
 * that a match reads a few adjacent cache lines per node instead of chasing
 * maps, strings and node objects across the heap. A block is laid out as:
 *
 *   INFO, VALUE_START, VALUE_END
 *   SINGLE, MULTI  blocks of the `*` and `**` children, present only when
 *                  the node has a wildcard child, so leaves stay small
 *   key            the literal segment that leads to the node, four
 *                  characters per int, compared without reading a string
 *   table          open-addressing hash table of the literal children with
 *                  linear probing, two ints per slot: the segment hash and
 *                  the child's block
 *
 * INFO packs whether a `**` edge leads to the node, whether the SINGLE and
 * MULTI fields are present, the key length and the log2 of the table
 * capacity (0 when there is no table). A table is at most 3/4 full, so
 * every probe sequence reaches an empty slot within a few steps.
 */

/** Offset that stands for a missing block. */
export const NO_BLOCK = -1;

/** Field with the index, in the value array, of the node's first value. */
export const VALUE_START = 1;

/** Field with the index after the node's last value. */
export const VALUE_END = 2;

const INFO = 0;
const SINGLE_CHILD = 3;
const MULTI_CHILD = 4;
const HEADER_INTS = 3;
const WILDCARD_INTS = 2;

const IS_MULTI_FLAG = 1 << 0;
const HAS_WILDCARDS_FLAG = 1 << 1;
const KEY_LENGTH_SHIFT = 2;
const KEY_LENGTH_MASK = 0xffff;
const TABLE_BITS_SHIFT = 18;

const SLOT_INTS = 2;
const SLOT_CHILD = 1;

const CHARACTERS_PER_INT = 4;
const BITS_PER_CHARACTER = 8;
const CHARACTER_MASK = 0xff;

const FNV_PRIME = 0x01000193;

/** Contents of a new block. Its children are linked afterwards. */
export interface BlockFields {
  /** Segment that leads to the node, or `''` for the root and wildcards. */
  readonly key: string;
  /** Whether a `**` edge leads to the node. */
  readonly isMulti: boolean;
  /** Whether the block needs the SINGLE and MULTI fields. */
  readonly hasWildcardChildren: boolean;
  /** Number of literal children the table must have room for. */
  readonly literalCount: number;
  readonly valueStart: number;
  readonly valueEnd: number;
}

/** Returns the number of ints a block with `fields` takes. */
export function blockSize(fields: BlockFields): number {
  return (
    HEADER_INTS +
    (fields.hasWildcardChildren ? WILDCARD_INTS : 0) +
    keyInts(fields.key.length) +
    tableInts(tableBitsFor(fields.literalCount))
  );
}

/** Returns the number of ints that the block at `block` takes. */
export function blockSizeAt(layout: Int32Array, block: number): number {
  const info = layout[block + INFO]!;
  return tableStart(block, info) - block + tableInts(tableBitsOf(info));
}

/**
 * Writes a block with no children at `block`, which must have
 * {@link blockSize} ints of room.
 */
export function writeBlock(
  layout: Int32Array,
  block: number,
  fields: BlockFields,
): void {
  const { key, hasWildcardChildren } = fields;
  const tableBits = tableBitsFor(fields.literalCount);
  const info =
    (fields.isMulti ? IS_MULTI_FLAG : 0) |
    (hasWildcardChildren ? HAS_WILDCARDS_FLAG : 0) |
    (key.length << KEY_LENGTH_SHIFT) |
    (tableBits << TABLE_BITS_SHIFT);
  layout[block + INFO] = info;
  layout[block + VALUE_START] = fields.valueStart;
  layout[block + VALUE_END] = fields.valueEnd;
  if (hasWildcardChildren) {
    layout[block + SINGLE_CHILD] = NO_BLOCK;
    layout[block + MULTI_CHILD] = NO_BLOCK;
  }

  writeKey(layout, keyStart(block, info), key);
  const table = tableStart(block, info);
  const end = table + tableInts(tableBits);
  for (let slot = table; slot < end; slot += SLOT_INTS) {
    layout[slot + SLOT_CHILD] = NO_BLOCK;
  }
}

/**
 * Points the `*` child of `block` at `child`. Returns false when the block
 * has no SINGLE field, so it must be rewritten with one.
 */
export function setSingleChild(
  layout: Int32Array,
  block: number,
  child: number,
): boolean {
  if ((layout[block + INFO]! & HAS_WILDCARDS_FLAG) === 0) return false;
  layout[block + SINGLE_CHILD] = child;
  return true;
}

/**
 * Points the `**` child of `block` at `child`. Returns false when the block
 * has no MULTI field, so it must be rewritten with one.
 */
export function setMultiChild(
  layout: Int32Array,
  block: number,
  child: number,
): boolean {
  if ((layout[block + INFO]! & HAS_WILDCARDS_FLAG) === 0) return false;
  layout[block + MULTI_CHILD] = child;
  return true;
}

/**
 * Adds the nodes that the node at `block` leads to through one segment,
 * `text.slice(start, end)`, to the first `count` entries of `active`, with
 * the chains of `**` children below them. Returns the new count. `hash` is
 * {@link hashSegment} of the segment.
 */
export function advanceBlock(
  layout: Int32Array,
  block: number,
  hash: number,
  text: string,
  start: number,
  end: number,
  active: Int32Array,
  count: number,
): number {
  const info = layout[block + INFO]!;
  let length = count;
  // A node that a `**` edge leads to also consumes any segment.
  if ((info & IS_MULTI_FLAG) !== 0) {
    length = addWithClosure(layout, active, length, block);
  }
  if (tableBitsOf(info) !== 0) {
    const literal = findLiteral(layout, block, hash, text, start, end);
    length = addWithClosure(layout, active, length, literal);
  }
  if ((info & HAS_WILDCARDS_FLAG) !== 0) {
    const single = layout[block + SINGLE_CHILD]!;
    length = addWithClosure(layout, active, length, single);
  }
  return length;
}

/**
 * Adds `block` and the chain of `**` children below it, which match zero
 * segments, to the first `count` entries of `active`. Returns the new
 * count. A block already in the list has its chain there too, which ends
 * the loop.
 */
export function addWithClosure(
  layout: Int32Array,
  active: Int32Array,
  count: number,
  block: number,
): number {
  let length = count;
  let current = block;
  while (current !== NO_BLOCK && !includes(active, length, current)) {
    active[length] = current;
    length += 1;
    const info = layout[current + INFO]!;
    if ((info & HAS_WILDCARDS_FLAG) === 0) break;
    current = layout[current + MULTI_CHILD]!;
  }
  return length;
}

/**
 * Returns the literal child of `block` whose key equals
 * `text.slice(start, end)`, or {@link NO_BLOCK}. `hash` is
 * {@link hashSegment} of that range.
 */
export function findLiteral(
  layout: Int32Array,
  block: number,
  hash: number,
  text: string,
  start: number,
  end: number,
): number {
  const slot = findSlot(layout, block, hash, text, start, end);
  return slot < 0 ? NO_BLOCK : layout[slot + SLOT_CHILD]!;
}

/** Checks whether the table at `block` stays at most 3/4 full with `count` children. */
export function hasRoomFor(
  layout: Int32Array,
  block: number,
  count: number,
): boolean {
  const tableBits = tableBitsOf(layout[block + INFO]!);
  return tableBits > 0 && count * 4 <= 3 << tableBits;
}

/** Adds a literal child. The caller checks {@link hasRoomFor} first. */
export function insertLiteral(
  layout: Int32Array,
  block: number,
  hash: number,
  child: number,
): void {
  const info = layout[block + INFO]!;
  const mask = (1 << tableBitsOf(info)) - 1;
  const table = tableStart(block, info);
  for (let probe = 0; probe <= mask; probe += 1) {
    const slot = table + ((hash + probe) & mask) * SLOT_INTS;
    if (layout[slot + SLOT_CHILD] !== NO_BLOCK) continue;
    layout[slot] = hash;
    layout[slot + SLOT_CHILD] = child;
    return;
  }
  throw new RangeError(
    `Invalid layout: the table of block ${block} has no free slot.`,
  );
}

/**
 * Points the literal child with key `key` at `child`. Returns false when
 * `block` has no child with that key.
 */
export function replaceLiteral(
  layout: Int32Array,
  block: number,
  hash: number,
  key: string,
  child: number,
): boolean {
  const slot = findSlot(layout, block, hash, key, 0, key.length);
  if (slot < 0) return false;
  layout[slot + SLOT_CHILD] = child;
  return true;
}

/**
 * Removes the literal child with key `key`, if any. Later entries of its
 * probe sequence move back into the gap, so that lookups never stop early
 * at an emptied slot.
 */
export function deleteLiteral(
  layout: Int32Array,
  block: number,
  hash: number,
  key: string,
): void {
  const found = findSlot(layout, block, hash, key, 0, key.length);
  if (found < 0) return;

  const info = layout[block + INFO]!;
  const mask = (1 << tableBitsOf(info)) - 1;
  const table = tableStart(block, info);
  let gap = (found - table) / SLOT_INTS;
  let index = gap;
  for (let step = 0; step < mask; step += 1) {
    index = (index + 1) & mask;
    const slot = table + index * SLOT_INTS;
    if (layout[slot + SLOT_CHILD] === NO_BLOCK) break;
    // The entry may fill the gap only if the gap lies on its own probe
    // sequence, from its home slot up to where it sits now.
    const home = layout[slot]! & mask;
    if (((index - home) & mask) < ((index - gap) & mask)) continue;
    moveSlot(layout, slot, table + gap * SLOT_INTS);
    gap = index;
  }
  layout[table + gap * SLOT_INTS + SLOT_CHILD] = NO_BLOCK;
}

/**
 * Hashes `text.slice(start, end)` without creating the slice: FNV-1a over
 * the UTF-16 code units with {@link mixCharacter}, then
 * {@link finishHash}. `seed` varies per layout, so that patterns cannot be
 * chosen to collide in every process.
 */
export function hashSegment(
  text: string,
  start: number,
  end: number,
  seed: number,
): number {
  let hash = seed;
  for (let index = start; index < end; index += 1) {
    hash = mixCharacter(hash, text.charCodeAt(index));
  }
  return finishHash(hash);
}

/** Adds one UTF-16 code unit to a hash that {@link hashSegment} computes. */
export function mixCharacter(hash: number, code: number): number {
  return Math.imul(hash ^ code, FNV_PRIME);
}

/** Mixes the high bits into the low ones, which index the table. */
export function finishHash(hash: number): number {
  const mixed = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  return mixed ^ (mixed >>> 13);
}

// The active nodes are few, a handful per step, so a linear scan finds
// them faster than any index.
function includes(list: Int32Array, length: number, block: number): boolean {
  for (let index = 0; index < length; index += 1) {
    if (list[index] === block) return true;
  }
  return false;
}

// Returns the index of the slot whose key equals `text.slice(start, end)`,
// or -1.
function findSlot(
  layout: Int32Array,
  block: number,
  hash: number,
  text: string,
  start: number,
  end: number,
): number {
  const info = layout[block + INFO]!;
  const tableBits = tableBitsOf(info);
  if (tableBits === 0) return -1;

  const mask = (1 << tableBits) - 1;
  const table = tableStart(block, info);
  for (let probe = 0; probe <= mask; probe += 1) {
    const slot = table + ((hash + probe) & mask) * SLOT_INTS;
    const child = layout[slot + SLOT_CHILD]!;
    if (child === NO_BLOCK) return -1;
    if (layout[slot] === hash && keyEquals(layout, child, text, start, end)) {
      return slot;
    }
  }
  return -1;
}

// Compares the key of `block` with `text.slice(start, end)`. A code unit
// above 0xff never equals a stored character, as intended.
function keyEquals(
  layout: Int32Array,
  block: number,
  text: string,
  start: number,
  end: number,
): boolean {
  const info = layout[block + INFO]!;
  const length = end - start;
  if (keyLengthOf(info) !== length) return false;

  const key = keyStart(block, info);
  for (let index = 0; index < length; index += 1) {
    const word = layout[key + (index >>> 2)]!;
    const shift = (index & 3) * BITS_PER_CHARACTER;
    const character = (word >>> shift) & CHARACTER_MASK;
    if (character !== text.charCodeAt(start + index)) return false;
  }
  return true;
}

// Literal segments are ASCII, because parsePattern rejects anything else,
// so each character fits in a byte.
function writeKey(layout: Int32Array, at: number, key: string): void {
  if (key.length > KEY_LENGTH_MASK) {
    throw new RangeError(
      `Key of ${key.length} characters is longer than the maximum of ${KEY_LENGTH_MASK}.`,
    );
  }
  layout.fill(0, at, at + keyInts(key.length));
  for (let index = 0; index < key.length; index += 1) {
    const code = key.charCodeAt(index);
    if (code > CHARACTER_MASK) {
      throw new RangeError(`Key ${JSON.stringify(key)} is not ASCII.`);
    }
    const shift = (index & 3) * BITS_PER_CHARACTER;
    layout[at + (index >>> 2)]! |= code << shift;
  }
}

function moveSlot(layout: Int32Array, from: number, to: number): void {
  layout[to] = layout[from]!;
  layout[to + SLOT_CHILD] = layout[from + SLOT_CHILD]!;
}

function keyStart(block: number, info: number): number {
  const wildcards = (info & HAS_WILDCARDS_FLAG) === 0 ? 0 : WILDCARD_INTS;
  return block + HEADER_INTS + wildcards;
}

function tableStart(block: number, info: number): number {
  return keyStart(block, info) + keyInts(keyLengthOf(info));
}

// Smallest power of two that keeps `count` children at most 3/4 full.
function tableBitsFor(count: number): number {
  if (count === 0) return 0;
  let bits = 1;
  while (3 << bits < count * 4) bits += 1;
  return bits;
}

function tableInts(tableBits: number): number {
  return tableBits === 0 ? 0 : SLOT_INTS << tableBits;
}

function keyInts(keyLength: number): number {
  return (keyLength + CHARACTERS_PER_INT - 1) >>> 2;
}

function keyLengthOf(info: number): number {
  return (info >>> KEY_LENGTH_SHIFT) & KEY_LENGTH_MASK;
}

function tableBitsOf(info: number): number {
  return info >>> TABLE_BITS_SHIFT;
}
