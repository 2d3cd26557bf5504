export * from './provider-contract';
