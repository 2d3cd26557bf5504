import { Injectable } from '@nestjs/common';

/**
 * The current time, behind an adapter so that expiry rules can be tested without waiting:
 * a test moves `offsetMs` forward and every service reading this clock sees the future.
 */
@Injectable()
export class Clock {
  /** Added to the system time; zero outside tests. */
  offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}
