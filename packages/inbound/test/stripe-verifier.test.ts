import { parseInboundConfig, verifyInbound } from '../src';
import {
  inboundRequest,
  messageOf,
  NOW_SEC,
  outcome,
  STRIPE_SECRET,
  stripeHeader,
  stripeV1,
} from './support/signed-requests';

const event = {
  id: 'evt_1PtestEventId',
  object: 'event',
  type: 'customer.subscription.created',
  data: { object: { id: 'sub_123', amount: 1200, currency: 'eur' } },
};
const prettyBody = JSON.stringify(event, null, 2);
const compactBody = JSON.stringify(event);
const goodHeader = stripeHeader(prettyBody);
const goodV1 = stripeV1(goodHeader);
const wrongV1 = stripeV1(stripeHeader(prettyBody, 'whsec_wrong'));

const config = parseInboundConfig('stripe', {
  verifier: 'stripe',
  secret: STRIPE_SECRET,
  typePrefix: 'stripe',
});

interface StripeCase {
  title: string;
  header: string | string[] | undefined;
  body?: string;
  secret?: string | string[];
}

const acceptedCases: StripeCase[] = [
  { title: 'pretty-printed body as signed', header: goodHeader },
  {
    title: 'timestamp exactly 300 s old',
    header: stripeHeader(prettyBody, STRIPE_SECRET, NOW_SEC - 300),
  },
  {
    title: 'timestamp exactly 300 s ahead',
    header: stripeHeader(prettyBody, STRIPE_SECRET, NOW_SEC + 300),
  },
  {
    title: 'bad v1 first, good v1 second',
    header: `t=${NOW_SEC},v1=${wrongV1},v1=${goodV1}`,
  },
  {
    title: 'v0 entry beside a good v1',
    header: `t=${NOW_SEC},v1=${goodV1},v0=${wrongV1}`,
  },
  {
    title: 'unknown items beside a good v1',
    header: `t=${NOW_SEC},v1=${goodV1},scheme=x,noequals`,
  },
  {
    title: 'old secret during rotation',
    header: goodHeader,
    secret: ['whsec_new-secret', STRIPE_SECRET],
  },
];

const rejectedCases: (StripeCase & { messagePart: string })[] = [
  {
    title: 'body re-serialised without whitespace',
    header: goodHeader,
    body: compactBody,
    messagePart: 'no signature in header stripe-signature matches',
  },
  {
    title: 'timestamp 10 minutes old',
    header: stripeHeader(prettyBody, STRIPE_SECRET, NOW_SEC - 600),
    messagePart: '600 s in the past',
  },
  {
    title: 'timestamp 301 s old',
    header: stripeHeader(prettyBody, STRIPE_SECRET, NOW_SEC - 301),
    messagePart: '301 s in the past',
  },
  {
    title: 'timestamp 400 s in the future',
    header: stripeHeader(prettyBody, STRIPE_SECRET, NOW_SEC + 400),
    messagePart: '400 s in the future',
  },
  {
    title: 'timestamp in milliseconds',
    header: stripeHeader(prettyBody, STRIPE_SECRET, NOW_SEC * 1000),
    messagePart: 'not whole unix seconds',
  },
  {
    title: 'wrong secret',
    header: stripeHeader(prettyBody, 'whsec_wrong'),
    messagePart: 'no signature',
  },
  {
    title: 'no header',
    header: undefined,
    messagePart: 'missing header stripe-signature',
  },
  {
    title: 'empty header',
    header: '',
    messagePart: 'missing header stripe-signature',
  },
  {
    title: 'header sent twice',
    header: [goodHeader, goodHeader],
    messagePart: 'sent more than once',
  },
  {
    title: 'v0 only',
    header: `t=${NOW_SEC},v0=${goodV1}`,
    messagePart: 'contains no v1 signature',
  },
  {
    title: 'no timestamp',
    header: `v1=${goodV1}`,
    messagePart: 'exactly one t= timestamp',
  },
  {
    title: 'two timestamps',
    header: `t=${NOW_SEC},t=${NOW_SEC},v1=${goodV1}`,
    messagePart: 'exactly one t= timestamp',
  },
  {
    title: 'upper-case hex',
    header: `t=${NOW_SEC},v1=${goodV1.toUpperCase()}`,
    messagePart: 'no signature',
  },
  {
    title: 'truncated v1',
    header: `t=${NOW_SEC},v1=${goodV1.slice(0, 63)}`,
    messagePart: 'no signature',
  },
  {
    title: 'empty v1',
    header: `t=${NOW_SEC},v1=`,
    messagePart: 'no signature',
  },
  {
    title: 'space after the comma',
    header: `t=${NOW_SEC}, v1=${goodV1}`,
    messagePart: 'contains no v1 signature',
  },
  {
    title: 'timestamp changed after signing',
    header: `t=${NOW_SEC + 1},v1=${goodV1}`,
    messagePart: 'no signature',
  },
];

function verify(testCase: StripeCase) {
  const source = testCase.secret
    ? { ...config, secret: testCase.secret }
    : config;
  const headers = { 'stripe-signature': testCase.header };
  return verifyInbound(
    source,
    inboundRequest(headers, testCase.body ?? prettyBody),
  );
}

describe('stripe verifier', () => {
  it.each(acceptedCases)('accepts $title', (testCase) => {
    const result = verify(testCase);

    expect(outcome(result)).toBe('ok');
    expect(result).toEqual({
      ok: true,
      eventType: 'customer.subscription.created',
      eventId: 'evt_1PtestEventId',
      payload: event,
    });
  });

  it.each(rejectedCases)('rejects $title', (testCase) => {
    const result = verify(testCase);

    expect(outcome(result)).toBe('invalid_signature');
    expect(messageOf(result)).toContain(testCase.messagePart);
    expect(messageOf(result)).not.toContain(STRIPE_SECRET);
    expect(messageOf(result)).not.toContain(goodV1);
  });
});
