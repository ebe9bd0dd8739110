export * from './domain';
export * from './device-protocol';
export * from './socket-events';
export * from './http-api';
export * from './labels-zh';
export * from './zoned-time';
