import { Global, Module } from '@nestjs/common';
import { SecurityEvents } from './security-events.service';

/** Makes SecurityEvents injectable everywhere; the app registers EventEmitterModule.forRoot(). */
@Global()
@Module({ providers: [SecurityEvents], exports: [SecurityEvents] })
export class SecurityEventsModule {}
