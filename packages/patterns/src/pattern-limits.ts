/** Size limits of a pattern, the same as those of a signal type. */
export interface PatternLimits {
  /**
   * Maximum length of the whole pattern in characters (UTF-16 code units,
   * which equal characters here because only ASCII is valid).
   * @defaultValue 255
   */
  readonly maxCharacters: number;

  /**
   * Maximum number of dot-separated segments.
   * @defaultValue 64
   */
  readonly maxSegments: number;
}

/** Limits that {@link parsePattern} enforces. */
export const PATTERN_LIMITS: PatternLimits = Object.freeze({
  maxCharacters: 255,
  maxSegments: 64,
});
