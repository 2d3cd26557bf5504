import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { LoginMethod, LoginMethodProvider } from '@identity/auth-core';
import { firebaseConfig } from './firebase.config';

export const FIREBASE_PROVIDER_ID = 'firebase';

@Injectable()
@LoginMethod({
  id: FIREBASE_PROVIDER_ID,
  displayName: 'Firebase',
  kind: 'id-token',
  description: 'Firebase Authentication ID token (phone code, email and others done in the client app)',
  supports: ['sign-in', 'sign-up', 'link'],
})
export class FirebaseLoginMethod implements LoginMethodProvider {
  constructor(@Inject(firebaseConfig.KEY) private readonly config: ConfigType<typeof firebaseConfig>) {}

  /** Tokens name their project in `aud`; without the project id none can be checked. */
  isConfigured(): boolean {
    return this.config.projectId !== null;
  }
}
