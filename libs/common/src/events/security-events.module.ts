import { Global, Module } from '@nestjs/common';
import { Clock } from '../time/clock';
import { SecurityEvents } from './security-events.service';

/**
 * Makes SecurityEvents and the Clock injectable everywhere; the app registers
 * EventEmitterModule.forRoot().
 */
@Global()
@Module({ providers: [SecurityEvents, Clock], exports: [SecurityEvents, Clock] })
export class SecurityEventsModule {}
