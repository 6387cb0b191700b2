export * from './ticket-code';
export * from './ticket-code-config';
