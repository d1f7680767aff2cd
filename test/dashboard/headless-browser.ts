import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
} from 'playwright-core';

/** Debian's Chromium package, which `.ci/run` has to install with apt-get. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Host name the browser resolves to 127.0.0.1, so a page has a non-loopback origin. */
export const MAPPED_HOST = 'signalpost.test';

/** Limit of every browser step, generous because a cold Chromium start on CI can be slow. */
export const BROWSER_TIMEOUT_MS = 60_000;

const LOCAL_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', MAPPED_HOST]);

const RECORD_VIOLATIONS = `
  window.cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
  });
`;

/** A page whose traffic stays on this machine. */
export interface LocalPage {
  readonly page: Page;
  /** Content-Security-Policy violations the page has reported so far. */
  cspViolations(): Promise<string[]>;
}

/** Launches headless Chromium with every host name but {@link MAPPED_HOST} unresolvable. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    timeout: BROWSER_TIMEOUT_MS,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP ${MAPPED_HOST} 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1`,
    ],
  });
}

/**
 * Opens a page that aborts every request to another host before it is
 * sent (Bull Board's page links a Google Fonts stylesheet) and records
 * Content-Security-Policy violations.
 */
export async function openLocalPage(
  context: BrowserContext,
): Promise<LocalPage> {
  const page = await context.newPage();
  page.setDefaultTimeout(BROWSER_TIMEOUT_MS);
  await page.route('**/*', (route) =>
    LOCAL_HOSTS.has(new URL(route.request().url()).hostname)
      ? route.continue()
      : route.abort('blockedbyclient'),
  );
  await page.addInitScript({ content: RECORD_VIOLATIONS });
  return {
    page,
    cspViolations: () => page.evaluate<string[]>('window.cspViolations'),
  };
}
