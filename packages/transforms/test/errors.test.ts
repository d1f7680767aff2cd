import {
  EXPRESSION_ERROR_CODES,
  ExpressionError,
  TRANSFORM_ERROR_CODES,
  TransformError,
} from '../src';

const ALL_CODES = [
  ...Object.values(TRANSFORM_ERROR_CODES),
  ...Object.values(EXPRESSION_ERROR_CODES),
];

describe('error codes', () => {
  it.each([
    [TRANSFORM_ERROR_CODES.failed, 'SIGNALPOST_ERR_TRANSFORM_FAILED'],
    [
      TRANSFORM_ERROR_CODES.configInvalid,
      'SIGNALPOST_ERR_TRANSFORM_CONFIG_INVALID',
    ],
    [
      TRANSFORM_ERROR_CODES.nameConflict,
      'SIGNALPOST_ERR_TRANSFORM_NAME_CONFLICT',
    ],
    [EXPRESSION_ERROR_CODES.invalid, 'SIGNALPOST_ERR_EXPRESSION_INVALID'],
    [EXPRESSION_ERROR_CODES.failed, 'SIGNALPOST_ERR_EXPRESSION_FAILED'],
  ])('%s keeps its value', (code, expected) => {
    expect(code).toBe(expected);
  });

  it('lists no code twice', () => {
    expect(new Set(ALL_CODES).size).toBe(ALL_CODES.length);
  });

  it('are frozen', () => {
    expect(Object.isFrozen(TRANSFORM_ERROR_CODES)).toBe(true);
    expect(Object.isFrozen(EXPRESSION_ERROR_CODES)).toBe(true);
  });
});

describe('TransformError', () => {
  it('carries code, transform, cause and name', () => {
    const cause = new Error('inner');
    const error = new TransformError(TRANSFORM_ERROR_CODES.failed, 'outer', {
      transform: 'slack.error',
      cause,
    });

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TransformError');
    expect(error.code).toBe('SIGNALPOST_ERR_TRANSFORM_FAILED');
    expect(error.transform).toBe('slack.error');
    expect(error.cause).toBe(cause);
  });
});

describe('ExpressionError', () => {
  it('carries code, purpose, position and limit', () => {
    const error = new ExpressionError(EXPRESSION_ERROR_CODES.failed, 'slow', {
      purpose: 'filter',
      position: 3,
      limit: 'timeout',
    });

    expect(error.name).toBe('ExpressionError');
    expect(error.code).toBe('SIGNALPOST_ERR_EXPRESSION_FAILED');
    expect(error.purpose).toBe('filter');
    expect(error.position).toBe(3);
    expect(error.limit).toBe('timeout');
  });
});
