import { CodePurpose } from '../outgoing-message';

/** The wording of every message in one language. Add a language by adding a catalog. */
export interface MessageCatalog {
  greeting(name: string | null | undefined): string;
  /** Closing line of every email: who sent it and why the reader got it. */
  footer(appName: string): string;
  securityTip: string;
  otp: {
    subject(purpose: CodePurpose, appName: string): string;
    intro(purpose: CodePurpose, appName: string): string;
    expiry(minutes: number): string;
    notYou: string;
    sms(code: string, purpose: CodePurpose, minutes: number, appName: string): string;
  };
  accountExists: {
    subject(appName: string): string;
    paragraphs(appName: string): string[];
    sms(appName: string): string;
  };
  passwordChanged: {
    subject(appName: string): string;
    paragraphs(appName: string, changedAt: string, ip: string | null | undefined): string[];
    sms(appName: string): string;
  };
  mfaReset: {
    subject(appName: string): string;
    paragraphs(appName: string, resetAt: string): string[];
    sms(appName: string): string;
  };
}
