import { Global, Module } from '@nestjs/common';
import { AccountStateCache } from '../cache/account-state-cache';
import { Clock } from '../time/clock';
import { SecurityEvents } from './security-events.service';

/**
 * Makes SecurityEvents, the Clock and the AccountStateCache (which follows the events) injectable
 * everywhere; the app registers EventEmitterModule.forRoot() and the app config.
 */
@Global()
@Module({ providers: [SecurityEvents, Clock, AccountStateCache], exports: [SecurityEvents, Clock, AccountStateCache] })
export class SecurityEventsModule {}
