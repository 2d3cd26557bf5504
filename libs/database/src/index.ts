export * from './database.config';
export * from './data-source.factory';
export * from './database.module';
export * from './transaction.runner';
export * from './database.errors';
export * from './columns';
export * from './schema-drift';
export * from './batched-cleanup';
