import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxMessageEntity } from './outbox-message.entity';
import { Outbox } from './outbox.service';

/** Email and SMS: the outbox, its dispatcher, templates and transports. */
@Module({
  imports: [TypeOrmModule.forFeature([OutboxMessageEntity])],
  providers: [Outbox],
  exports: [Outbox],
})
export class MessagingModule {}
