import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserAuthEntity } from '@identity/auth-core';
import { RoleEntity } from '@identity/rbac';
import { UserEntity } from '@identity/users';
import { AdminUsersController } from './admin-users.controller';
import { AdminUsersService } from './admin-users.service';
import { UserDirectoryService } from './user-directory.service';

/**
 * /admin/users. The services it uses (users, roles, sessions, the user view, password hashing,
 * the provider registry) come from the global AuthCoreModule.
 */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, UserAuthEntity, RoleEntity])],
  controllers: [AdminUsersController],
  providers: [AdminUsersService, UserDirectoryService],
})
export class AdminUsersModule {}
