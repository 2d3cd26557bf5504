export * from './sessions.config';
export * from './session.entity';
export * from './refresh-token.entity';
export * from './key-store';
export * from './access-token.service';
export * from './sessions.service';
export * from './session.dto';
export * from './sessions.module';
