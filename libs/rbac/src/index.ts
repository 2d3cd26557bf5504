export * from './role.entity';
export * from './user-role.entity';
export * from './rbac.service';
export * from './rbac.module';
export * from './permissions';
export * from './roles.service';
export * from './roles.controller';
export * from './role.dto';
