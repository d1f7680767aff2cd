export * from './api-keys';
export * from './config';
export * from './config-error';
export * from './parse-duration';
