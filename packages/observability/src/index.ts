export * from './health-server';
export * from './logger';
export * from './metrics';
export * from './redis-readiness';
export * from './shutdown-signals';
export * from './http-server';
