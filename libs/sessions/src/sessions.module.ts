import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { appConfig } from '@identity/common';
import { AccessTokenService } from './access-token.service';
import { JwksController } from './jwks.controller';
import { MySessionsController } from './my-sessions.controller';
import { RefreshTokenEntity } from './refresh-token.entity';
import { SessionEntity } from './session.entity';
import { sessionsConfig } from './sessions.config';
import { SessionsService } from './sessions.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([SessionEntity, RefreshTokenEntity]),
    ConfigModule.forFeature(sessionsConfig),
    ConfigModule.forFeature(appConfig),
  ],
  controllers: [JwksController, MySessionsController],
  providers: [AccessTokenService, SessionsService],
  exports: [AccessTokenService, SessionsService],
})
export class SessionsModule {}
