import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { startReceiver, type Receiver } from '../support/receiver';
import {
  ADMIN_KEY,
  startTestStack,
  waitFor,
  type TestStack,
} from '../support/stack';
import {
  BROWSER_TIMEOUT_MS,
  MAPPED_HOST,
  launchChromium,
  openLocalPage,
  type LocalPage,
} from './headless-browser';

const SCREENSHOT_PATH = path.join(
  __dirname,
  '..',
  '..',
  'docs',
  'images',
  'dashboard.png',
);
const SIGNAL_COUNT = 3;
const TEST_TIMEOUT_MS = 2 * BROWSER_TIMEOUT_MS;
const ADMIN_LOGIN = {
  httpCredentials: { username: 'admin', password: ADMIN_KEY },
  viewport: { width: 1280, height: 800 },
};

describe('queue dashboard in headless Chromium', () => {
  let stack: TestStack;
  let receiver: Receiver;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startTestStack();
    receiver = await startReceiver();
    await fillQueues(stack, receiver);
    browser = await launchChromium();
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await receiver?.close();
  });

  async function withPage(
    options: BrowserContextOptions,
    use: (local: LocalPage) => Promise<void>,
  ): Promise<void> {
    const context = await browser.newContext(options);
    try {
      await use(await openLocalPage(context));
    } finally {
      await context.close();
    }
  }

  it(
    'shows both queues to the admin',
    () =>
      withPage(ADMIN_LOGIN, async ({ page, cspViolations }) => {
        const response = await page.goto(`${stack.baseUrl}/admin/queues`);
        expect(response?.status()).toBe(200);

        const signals = queueCard(page, 'signals');
        const deliveries = queueCard(page, 'deliveries');
        await jobTotal(signals).waitFor({ state: 'visible' });
        await jobTotal(deliveries).waitFor({ state: 'visible' });
        expect(await signals.isVisible()).toBe(true);
        expect(await deliveries.isVisible()).toBe(true);
        expect(await cspViolations()).toEqual([]);

        await mkdir(path.dirname(SCREENSHOT_PATH), { recursive: true });
        await page.screenshot({ path: SCREENSHOT_PATH, fullPage: true });
      }),
    TEST_TIMEOUT_MS,
  );

  it(
    'challenges a browser without credentials',
    () =>
      withPage({}, async ({ page }) => {
        const url = `${stack.baseUrl}/admin/queues`;
        const answered = page.waitForResponse(url);
        // Playwright cancels a challenge it has no credentials for, so the
        // navigation fails after the 401 has arrived and its body is gone.
        await page.goto(url).catch(() => undefined);
        const response = await answered;
        expect(response.status()).toBe(401);
        expect(await response.headerValue('www-authenticate')).toBe(
          'Basic realm="signalpost"',
        );
        expect(await response.headerValue('content-type')).toMatch(
          /^application\/json/,
        );
      }),
    TEST_TIMEOUT_MS,
  );

  it(
    'renders over http on a non-loopback host',
    // Chromium upgrades no loopback request, so only a mapped host name
    // shows whether the page's policy upgrades its assets to https.
    () =>
      withPage(ADMIN_LOGIN, async ({ page, cspViolations }) => {
        const url = `http://${MAPPED_HOST}:${stack.api.port}/admin/queues`;
        const response = await page.goto(url);
        expect(response?.status()).toBe(200);

        const signals = queueCard(page, 'signals');
        await jobTotal(signals).waitFor({ state: 'visible' });
        expect(await signals.isVisible()).toBe(true);
        expect(await cspViolations()).toEqual([]);
      }),
    TEST_TIMEOUT_MS,
  );
});

/** Publishes signals to a webhook subscription and waits for every delivery. */
async function fillQueues(stack: TestStack, receiver: Receiver): Promise<void> {
  const created = await stack.request('POST', '/v1/subscriptions', {
    body: {
      id: 'orders',
      pattern: 'order.**',
      dispatch: { adapter: 'webhook', url: `${receiver.url}/hook` },
    },
  });
  expect(created.status).toBe(201);

  for (let index = 0; index < SIGNAL_COUNT; index += 1) {
    const published = await stack.request('POST', '/v1/signals', {
      body: { type: 'order.created', source: 'shop', id: `order-${index}` },
    });
    expect(published.status).toBe(202);
  }
  await waitFor(
    async () => {
      const queue = stack.api.context.deliveriesQueue;
      const counts = await queue.getJobCounts('completed');
      return (counts.completed ?? 0) >= SIGNAL_COUNT ? counts : undefined;
    },
    30_000,
    'every delivery to complete',
  );
}

/** Finds the overview card of a queue, which shows its name and job total. */
function queueCard(page: Page, queueName: string) {
  return page.locator('li', {
    has: page.getByRole('link', { name: queueName, exact: true }),
    hasText: / Jobs$/,
  });
}

function jobTotal(card: ReturnType<typeof queueCard>) {
  return card.getByText(`${SIGNAL_COUNT} Jobs`, { exact: true });
}
