export * from './api-error-codes';
export * from './api-error';
