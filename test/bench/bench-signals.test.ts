import { webhookId } from '@signalpost/signal';
import {
  makeSignal,
  makeSignalInput,
  webhookIdOf,
} from '../../bench/bench-signals';

describe('makeSignalInput', () => {
  it.each([64, 512, 4096])('encodes data in %d bytes', (payloadBytes) => {
    const input = makeSignalInput('e2e', 12, payloadBytes);
    expect(JSON.stringify(input.data)).toHaveLength(payloadBytes);
  });

  it('keeps the smallest data when asked for less', () => {
    const input = makeSignalInput('e2e', 3, 0);
    expect(input.data).toEqual({ index: 3, padding: '' });
  });

  it('names type, source and id after the scenario', () => {
    const input = makeSignalInput('latency', 7, 10);
    expect(input.type).toBe('bench.latency');
    expect(input.source).toBe('bench/latency');
    expect(input.id).toBe('latency-7');
  });
});

describe('makeSignal', () => {
  it('fills in the defaults the API would', () => {
    const signal = makeSignal('worker', 1, 100);
    expect(signal.specversion).toBe('1.0');
    expect(signal.datacontenttype).toBe('application/json');
    expect(typeof signal.time).toBe('string');
  });
});

describe('webhookIdOf', () => {
  it('matches the header Signalpost sends', () => {
    const input = makeSignalInput('latency', 1, 10);
    expect(webhookIdOf(input)).toBe(webhookId('bench/latency', 'latency-1'));
  });
});
