// The SDK set-up (./sdk) is deliberately not exported here: it is loaded only by the preload
// (./register) or, late, by startService, and only when tracing is on.
export * from './state';
export * from './propagation';
export * from './service-tracing';
