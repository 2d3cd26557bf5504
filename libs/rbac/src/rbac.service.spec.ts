import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError, newId } from '@identity/common';
import { buildDataSourceOptions, runMigrations } from '@identity/database';
import { UserEntity } from '@identity/users';
import { RbacService } from './rbac.service';
import { RoleEntity } from './role.entity';
import { UserRoleEntity } from './user-role.entity';

describe('RbacService.assertSelfAssignable', () => {
  let dataSource: DataSource;
  let rbac: RbacService;

  before(async () => {
    Logger.overrideLogger(['error']);
    // The real schema (migrations) in memory, so the lookup runs as it does in production.
    const options = buildDataSourceOptions({ dialect: 'sqlite', sqlitePath: ':memory:', url: '', migrationsRun: true, poolSize: 1 }, [
      RoleEntity,
      UserRoleEntity,
      UserEntity,
    ]);
    dataSource = await new DataSource(options).initialize();
    await runMigrations(dataSource);
    rbac = new RbacService(dataSource.getRepository(RoleEntity), dataSource.getRepository(UserRoleEntity));
    await rbac.ensureSystemRoles();
    const role = (name: string, selfAssignable: boolean, permissions: string[] = []) => ({
      id: newId(),
      name,
      description: null,
      permissions,
      isSystem: false,
      selfAssignable,
    });
    await dataSource
      .getRepository(RoleEntity)
      .insert([role('student', true), role('teacher', true), role('staff', false), role('tampered', true, ['users:read'])]);
  });
  after(() => dataSource?.destroy());

  const refusal = async (names: string[]) => {
    try {
      await rbac.assertSelfAssignable(names);
    } catch (error) {
      return error as AppError;
    }
    return null;
  };

  it('accepts self-assignable roles, repeated names, and no role at all', async () => {
    await rbac.assertSelfAssignable(['student']);
    await rbac.assertSelfAssignable(['student', 'teacher', 'student']);
    await rbac.assertSelfAssignable([]);
  });

  it('refuses system and other non-self-assignable roles with a 400 naming them', async () => {
    for (const names of [['admin'], ['user'], ['staff'], ['student', 'staff']]) {
      const error = await refusal(names);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ status: 400, code: 'role_not_self_assignable' });
      expect(error!.detail).toContain(names.at(-1));
      expect(error!.detail).not.toContain('student');
    }
  });

  it('answers an unknown role exactly like an existing one that is not self-assignable', async () => {
    const unknown = await refusal(['nonexistent']);
    const existing = await refusal(['staff']);
    expect(unknown).toMatchObject({ status: 400, code: 'role_not_self_assignable', title: existing!.title });
    expect(unknown!.detail!.replace('nonexistent', 'X')).toBe(existing!.detail!.replace('staff', 'X'));
  });

  it('refuses a role with permissions even when it is marked self-assignable', async () => {
    expect(await refusal(['tampered'])).toMatchObject({ code: 'role_not_self_assignable' });
  });
});
