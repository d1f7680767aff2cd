import ipaddr from 'ipaddr.js';

const ALLOWED_PROTOCOLS: readonly string[] = Object.freeze(['http:', 'https:']);
const DEFAULT_PORTS: Readonly<Record<string, number>> = Object.freeze({
  'http:': 80,
  'https:': 443,
});

/** Outcome of `parseTargetUrl`. */
export type TargetUrlResult =
  { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Parses a target URL and checks its form: http or https, no user name or
 * password, and a host. The reason never repeats the URL, which may contain
 * credentials.
 */
export function parseTargetUrl(url: string): TargetUrlResult {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'the target URL is not a valid absolute URL' };
  }

  if (!ALLOWED_PROTOCOLS.includes(parsed.protocol)) {
    return {
      ok: false,
      reason: `the target URL must use http or https, not ${parsed.protocol.replace(/:$/, '')}`,
    };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return {
      ok: false,
      reason: 'the target URL must not contain a user name or password',
    };
  }
  if (parsed.hostname === '') {
    return { ok: false, reason: 'the target URL has no host' };
  }
  return { ok: true, url: parsed };
}

/**
 * Returns the normalised IP address when the URL's host is an IP literal, or
 * undefined when it is a name.
 *
 * The WHATWG URL parser already rewrites the IPv4 spellings of inet_aton
 * (one to four decimal, octal or hex parts, such as `2130706433`,
 * `0x7f000001`, `127.1` and `0177.0.0.1`) to dotted decimal in
 * `url.hostname`. The ipaddr.js parse after it repeats that as a safeguard.
 */
export function hostLiteralAddress(url: URL): string | undefined {
  const host = url.hostname;
  if (host.startsWith('[') && host.endsWith(']')) {
    const inner = host.slice(1, -1);
    return ipaddr.IPv6.isValid(inner)
      ? ipaddr.IPv6.parse(inner).toString()
      : undefined;
  }

  const withoutDot = host.endsWith('.') ? host.slice(0, -1) : host;
  return ipaddr.IPv4.isValid(withoutDot)
    ? ipaddr.IPv4.parse(withoutDot).toString()
    : undefined;
}

/** Returns the port that a request to `url` connects to. */
export function targetPort(url: URL): number {
  if (url.port !== '') return Number(url.port);

  return DEFAULT_PORTS[url.protocol] ?? 0;
}

/**
 * Checks whether `hostname` is `localhost` or a name under it, in any case and
 * with or without a trailing dot. Such names mean this machine (RFC 6761), so
 * they are never sent to DNS.
 */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.+$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}
