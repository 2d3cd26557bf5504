import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { PreparedStatement } from './prepared-statement';

@Entity('gadgets')
class Gadget {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'seen_at', type: 'datetime', precision: 6 })
  seenAt: Date;

  @Column({ name: 'is_on', type: 'boolean' })
  isOn: boolean;

  @Column({ type: 'json', nullable: true })
  settings: Record<string, unknown> | null;
}

describe('prepared statements', () => {
  const dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [Gadget], synchronize: true });
  const insert = PreparedStatement.insert(Gadget);
  const switchOff = new PreparedStatement((manager) =>
    manager
      .createQueryBuilder()
      .update(Gadget)
      .set({ isOn: () => 'false' })
      .where('id = :id AND is_on = :isOn'),
  );
  const find = new PreparedStatement((manager) => manager.createQueryBuilder(Gadget, 'gadget').where('gadget.id = :id'));

  before(() => dataSource.initialize());
  after(() => dataSource.destroy());

  it('store values as the query builder stores them, and read back as TypeORM reads them', async () => {
    const seenAt = new Date('2026-12-01T10:20:30.456Z');
    const settings = { colour: 'blue', sizes: [1, 2] };
    await insert.run(dataSource.manager, { id: 'g1', seenAt, isOn: true, settings });
    await dataSource.manager.insert(Gadget, { id: 'g2', seenAt, isOn: true, settings });
    const raw = await dataSource.query('SELECT * FROM gadgets ORDER BY id');
    // Byte for byte what TypeORM's own insert wrote.
    expect({ ...raw[0], id: 'g2' }).toEqual(raw[1]);
    const [row] = await find.entities<{ gadget: Gadget }>(dataSource.manager, { id: 'g1' });
    expect(row.gadget).toEqual({ id: 'g1', seenAt, isOn: true, settings });
    expect(await dataSource.manager.findOneByOrFail(Gadget, { id: 'g1' })).toEqual(
      expect.objectContaining({ seenAt, isOn: true, settings }),
    );
  });

  it('report how many rows a write changed, so a conditional update can tell who won', async () => {
    expect(await switchOff.run(dataSource.manager, { id: 'g1', isOn: true })).toBe(1);
    expect(await switchOff.run(dataSource.manager, { id: 'g1', isOn: true })).toBe(0);
    expect(await find.entities(dataSource.manager, { id: 'nothing' })).toEqual([]);
  });

  it('refuse a run without one of its parameters, and a parameter that is no column', async () => {
    await expect(switchOff.run(dataSource.manager, { id: 'g1' })).rejects.toThrow('prepared statement run without its parameter isOn');
    const stray = new PreparedStatement((manager) => manager.createQueryBuilder(Gadget, 'gadget').where('gadget.id = :colour'));
    await expect(stray.entities(dataSource.manager, { colour: 'blue' })).rejects.toThrow('parameter colour is not a column of Gadget');
  });
});
