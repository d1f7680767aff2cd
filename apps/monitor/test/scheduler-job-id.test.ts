import {
  scheduledAtMs,
  schedulerJobId,
} from '../src/schedule/scheduler-job-id';

describe('scheduledAtMs', () => {
  it.each([
    ['a scheduler job', 'repeat:api:1700000001000', 'api', 1_700_000_001_000],
    [
      'a scheduler id with colons',
      'repeat:a:b:1700000001000',
      'a:b',
      1_700_000_001_000,
    ],
    ['an id of another scheduler', 'repeat:web:1700000001000', 'api', 42],
    ['an id without a due time', 'repeat:api:', 'api', 42],
    ['an id with a non-numeric due time', 'repeat:api:soon', 'api', 42],
    ['a job without a scheduler', 'custom-1', undefined, 42],
  ])('reads %s', (_case, id, repeatJobKey, expected) => {
    expect(scheduledAtMs({ id, repeatJobKey, timestamp: 42 })).toBe(expected);
  });
});

describe('schedulerJobId', () => {
  it('names a job the way BullMQ names a scheduler job', () => {
    expect(schedulerJobId('api', 1_700_000_001_000)).toBe(
      'repeat:api:1700000001000',
    );
  });

  it('reads back as the due time', () => {
    const id = schedulerJobId('api', 1_700_000_001_000);
    expect(scheduledAtMs({ id, repeatJobKey: 'api', timestamp: 0 })).toBe(
      1_700_000_001_000,
    );
  });
});
