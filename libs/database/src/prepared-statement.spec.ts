import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { Column, DataSource, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { PreparedStatement } from './prepared-statement';

@Entity('owners')
class Owner {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;
}

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

  @Column({ name: 'owner_id', type: 'varchar', length: 36, nullable: true })
  ownerId: string | null;

  @ManyToOne(() => Owner)
  @JoinColumn({ name: 'owner_id' })
  owner?: Owner;
}

describe('prepared statements', () => {
  const dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [Gadget, Owner], synchronize: true });
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
    expect(row.gadget).toEqual({ id: 'g1', seenAt, isOn: true, settings, ownerId: null });
    expect(row.gadget).toBeInstanceOf(Gadget);
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

  it('take a parameter of a joined entity, converted by its column there', async () => {
    const byOwnerName = new PreparedStatement((manager) =>
      manager.createQueryBuilder(Gadget, 'gadget').innerJoinAndSelect('gadget.owner', 'owner').where('owner.name = :name'),
    );
    await dataSource.manager.insert(Owner, { id: 'o1', name: 'Ada' });
    await dataSource.manager.insert(Gadget, { id: 'g3', seenAt: new Date(), isOn: false, settings: null, ownerId: 'o1' });
    const rows = await byOwnerName.entities<{ gadget: Gadget; owner: Owner }>(dataSource.manager, { name: 'Ada' });
    expect(rows.map(({ gadget, owner }) => [gadget.id, owner.name])).toEqual([['g3', 'Ada']]);
    expect(rows[0].owner).toBeInstanceOf(Owner);
    expect(await byOwnerName.entity(dataSource.manager, 'owner', { name: 'Grace' })).toBeNull();
  });
});
