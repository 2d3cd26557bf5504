export * from './outbox-message.entity';
export * from './outgoing-message';
export * from './outbox.service';
export * from './messaging.module';
