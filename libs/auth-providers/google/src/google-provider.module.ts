import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { GoogleController } from './google.controller';
import { googleConfig } from './google.config';
import { GoogleLoginMethod } from './google.login-method';
import { GoogleSignInService } from './google-sign-in.service';

/**
 * Google sign-in: the redirect flow of the core (browser apps) and ID tokens from Google
 * Sign-In (native apps). Configured by GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET; without them it
 * is neither listed nor served.
 */
@Module({
  imports: [ConfigModule.forFeature(googleConfig)],
  controllers: [GoogleController],
  providers: [GoogleLoginMethod, GoogleSignInService],
})
export class GoogleProviderModule {}
