export * from './user.entity';
export * from './users.service';
export * from './users.module';
export * from './update-profile.dto';
export * from './profile.validator';
