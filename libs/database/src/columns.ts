import { Column, ColumnOptions, CreateDateColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Column helpers shared by every entity so both dialects get identical, portable types:
 * ids are varchar(36) UUIDs (better-sqlite3 rejects char), times are UTC datetime(6).
 */
export const IdColumn = () => PrimaryColumn({ type: 'varchar', length: 36 });
export const RefColumn = (options: ColumnOptions = {}) => Column({ type: 'varchar', length: 36, ...options });
export const TimeColumn = (options: ColumnOptions = {}) => Column({ type: 'datetime', precision: 6, ...options });
export const CreatedAtColumn = (name = 'created_at') => CreateDateColumn({ name, type: 'datetime', precision: 6 });
export const UpdatedAtColumn = (name = 'updated_at') => UpdateDateColumn({ name, type: 'datetime', precision: 6 });
export const JsonColumn = (options: ColumnOptions = {}) => Column({ type: 'json', nullable: true, ...options });
export const BoolColumn = (options: ColumnOptions = {}) => Column({ type: 'boolean', ...options });
