/**
 * Removes the user name and password from a URL, so that a URL put into a
 * signal or a log line never carries them. Returns other text unchanged.
 */
export function stripCredentials(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.username === '' && parsed.password === '') return url;

  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}
