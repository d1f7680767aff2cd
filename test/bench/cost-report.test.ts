import {
  combineCounters,
  costsPerSecond,
  costsPerSignal,
  type ProcessCosts,
} from '../../bench/costs/cost-report';
import { topCommands } from '../../bench/costs/cost-tables';

function costs(overrides: Partial<ProcessCosts> = {}): ProcessCosts {
  return {
    redisRoundTrips: 0,
    redisCommands: 0,
    redisScriptCommands: 0,
    bytesToRedis: 0,
    bytesFromRedis: 0,
    jsonParseCalls: 0,
    jsonParseChars: 0,
    jsonStringifyCalls: 0,
    jsonStringifyChars: 0,
    allocatedBytes: 0,
    gcCount: 0,
    gcPauseMs: 0,
    cpuMs: 0,
    commandsByName: {},
    scriptCommandsByName: {},
    ...overrides,
  };
}

describe('combineCounters', () => {
  it('adds up commands by name', () => {
    const combined = combineCounters(
      {
        connections: 3,
        requestFlights: 7,
        requestBytes: 100,
        responseBytes: 50,
      },
      { commands: { hget: 2, evalsha: 3 }, scriptCommands: { hset: 4 } },
      {
        jsonParseCalls: 1,
        jsonParseChars: 10,
        jsonStringifyCalls: 2,
        jsonStringifyChars: 20,
        allocatedBytes: 1000,
        gcCount: 1,
        gcPauseMs: 0.5,
        cpuMs: 12,
      },
    );
    expect(combined.redisRoundTrips).toBe(7);
    expect(combined.redisCommands).toBe(5);
    expect(combined.redisScriptCommands).toBe(4);
    expect(combined.bytesToRedis).toBe(100);
    expect(combined.cpuMs).toBe(12);
    expect(combined.commandsByName).toEqual({ hget: 2, evalsha: 3 });
  });

  it('counts no commands for an app MONITOR never saw', () => {
    const combined = combineCounters(
      { connections: 0, requestFlights: 0, requestBytes: 0, responseBytes: 0 },
      undefined,
      costs(),
    );
    expect(combined.redisCommands).toBe(0);
    expect(combined.commandsByName).toEqual({});
  });
});

describe('costsPerSignal', () => {
  it('takes out the idle rate and divides by signals', () => {
    const before = costs({ redisRoundTrips: 100, commandsByName: { get: 10 } });
    const after = costs({ redisRoundTrips: 1130, commandsByName: { get: 70 } });
    const idle = costs({ redisRoundTrips: 15, commandsByName: { get: 5 } });
    const perSignal = costsPerSignal(before, after, idle, 2000, 100);
    expect(perSignal.redisRoundTrips).toBeCloseTo((1030 - 30) / 100, 10);
    expect(perSignal.commandsByName.get).toBeCloseTo((60 - 10) / 100, 10);
  });

  it('never goes below zero', () => {
    const perSignal = costsPerSignal(
      costs({ cpuMs: 10 }),
      costs({ cpuMs: 11 }),
      costs({ cpuMs: 100 }),
      1000,
      10,
    );
    expect(perSignal.cpuMs).toBe(0);
  });

  it('counts a command first seen after the start', () => {
    const perSignal = costsPerSignal(
      costs(),
      costs({ commandsByName: { zadd: 20 } }),
      costs(),
      1000,
      10,
    );
    expect(perSignal.commandsByName.zadd).toBe(2);
  });
});

describe('costsPerSecond', () => {
  it('divides the change by seconds', () => {
    const rate = costsPerSecond(
      costs({ redisRoundTrips: 10 }),
      costs({ redisRoundTrips: 40 }),
      3000,
    );
    expect(rate.redisRoundTrips).toBe(10);
  });
});

describe('topCommands', () => {
  it('lists the most frequent first', () => {
    expect(topCommands({ get: 1, evalsha: 4, hset: 2 })).toBe(
      'evalsha 4.0, hset 2.0, get 1.0',
    );
  });

  it('leaves out rare commands', () => {
    expect(topCommands({ info: 0.01 })).toBe('none');
  });
});
