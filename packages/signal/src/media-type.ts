/** Charsets whose bytes can be read as UTF-8 text unchanged. */
const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);

/**
 * Returns whether the media type is JSON: `application/json`, `text/json`
 * or a structured `application/*+json` type. Parameters are ignored.
 */
export function isJsonMediaType(mediaType: string): boolean {
  const essence = essenceOf(mediaType);
  if (essence === 'application/json' || essence === 'text/json') return true;
  return essence.startsWith('application/') && essence.endsWith('+json');
}

/**
 * Returns whether the media type is `text/*` with no charset or a charset
 * that UTF-8 covers. Other charsets are not text for this purpose, because
 * their bytes would change if decoded as UTF-8.
 */
export function isUtf8TextMediaType(mediaType: string): boolean {
  if (!essenceOf(mediaType).startsWith('text/')) return false;

  const charset = charsetOf(mediaType);
  return charset === undefined || UTF8_CHARSETS.has(charset);
}

// The type and subtype, lower-cased, without parameters.
function essenceOf(mediaType: string): string {
  return (mediaType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

function charsetOf(mediaType: string): string | undefined {
  for (const parameter of mediaType.split(';').slice(1)) {
    const [name = '', value = ''] = parameter.split('=', 2);
    if (name.trim().toLowerCase() !== 'charset') continue;
    return value.trim().replace(/^"|"$/g, '').toLowerCase();
  }
  return undefined;
}
