export * from './dead-letter-store';
export * from './delivery-store';
export * from './idempotency-store';
export * from './records';
export * from './signal-store';
export * from './subscription-store';
export * from './create-deliveries';
export * from './attempt-store';
