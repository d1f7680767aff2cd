export * from './find-target';
export * from './input-schema';
export * from './public-view';
export * from './subscription';
export * from './validate-subscription';
