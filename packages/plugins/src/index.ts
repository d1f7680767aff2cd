export * from './load-plugins';
export * from './plugin';
