export * from './keys';
export * from './queue-names';
export * from './redis-connection';
export * from './jobs';
