import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { firebaseConfig } from './firebase.config';
import { FirebaseController } from './firebase.controller';
import { FirebaseLoginMethod } from './firebase.login-method';
import { FirebaseSignInService } from './firebase-sign-in.service';
import { FirebaseAdminTokenVerifier, FirebaseTokenVerifier } from './firebase-token-verifier';

/**
 * Sign-in with Firebase Authentication (`firebase`): the client app signs in with Firebase (phone
 * code, email, …) and hands its ID token here; firebase-admin verifies it, revocation included.
 */
@Module({
  imports: [ConfigModule.forFeature(firebaseConfig)],
  controllers: [FirebaseController],
  providers: [FirebaseLoginMethod, FirebaseSignInService, { provide: FirebaseTokenVerifier, useClass: FirebaseAdminTokenVerifier }],
})
export class FirebaseProviderModule {}
