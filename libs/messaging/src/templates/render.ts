import { MessagePayload } from '../outbox-message.entity';
import { MessageTemplate, MfaResetData, OtpCodeData, PasswordChangedData } from '../outgoing-message';
import { MessageCatalog } from './catalog';
import { ENGLISH } from './catalog.en';
import { EmailLayout, renderHtml, renderText } from './layout';

const CATALOGS: Record<string, MessageCatalog> = { en: ENGLISH };

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** The catalog for a BCP 47 tag (`de-AT` → `de`), English when that language is not shipped. */
export function catalogFor(locale: string | null | undefined): MessageCatalog {
  const language = (locale ?? '').toLowerCase().split(/[-_]/)[0];
  return CATALOGS[language] ?? ENGLISH;
}

function layoutOf(catalog: MessageCatalog, appName: string, template: MessageTemplate, payload: MessagePayload): EmailLayout {
  const base = { appName, footer: catalog.footer(appName), greeting: catalog.greeting(payload.displayName as string | null) };
  switch (template) {
    case 'otp_code': {
      const data = payload as unknown as OtpCodeData;
      return {
        ...base,
        preheader: catalog.otp.expiry(data.expiresInMinutes),
        paragraphsBefore: [catalog.otp.intro(data.purpose, appName)],
        code: data.code,
        paragraphsAfter: [catalog.otp.expiry(data.expiresInMinutes), catalog.otp.notYou],
        tip: catalog.securityTip,
      };
    }
    case 'account_exists': {
      const paragraphs = catalog.accountExists.paragraphs(appName);
      return { ...base, preheader: paragraphs[0], paragraphsBefore: paragraphs, paragraphsAfter: [] };
    }
    case 'password_changed': {
      const data = payload as unknown as PasswordChangedData;
      const paragraphs = catalog.passwordChanged.paragraphs(appName, formatTime(data.changedAt), data.ip);
      return { ...base, preheader: paragraphs[0], paragraphsBefore: paragraphs, paragraphsAfter: [] };
    }
    case 'mfa_reset': {
      const paragraphs = catalog.mfaReset.paragraphs(appName, formatTime((payload as unknown as MfaResetData).resetAt));
      return { ...base, preheader: paragraphs[0], paragraphsBefore: paragraphs, paragraphsAfter: [] };
    }
  }
}

function subjectOf(catalog: MessageCatalog, appName: string, template: MessageTemplate, payload: MessagePayload): string {
  switch (template) {
    case 'otp_code':
      return catalog.otp.subject((payload as unknown as OtpCodeData).purpose, appName);
    case 'account_exists':
      return catalog.accountExists.subject(appName);
    case 'password_changed':
      return catalog.passwordChanged.subject(appName);
    case 'mfa_reset':
      return catalog.mfaReset.subject(appName);
  }
}

export function renderEmail(template: MessageTemplate, payload: MessagePayload, appName: string, locale?: string | null): RenderedEmail {
  const catalog = catalogFor(locale);
  const layout = layoutOf(catalog, appName, template, payload);
  return { subject: subjectOf(catalog, appName, template, payload), text: renderText(layout), html: renderHtml(layout) };
}

/** SMS bodies are one short line: the code first, so phones can offer to fill it in. */
export function renderSms(template: MessageTemplate, payload: MessagePayload, appName: string, locale?: string | null): string {
  const catalog = catalogFor(locale);
  switch (template) {
    case 'otp_code': {
      const data = payload as unknown as OtpCodeData;
      return catalog.otp.sms(data.code, data.purpose, data.expiresInMinutes, appName);
    }
    case 'account_exists':
      return catalog.accountExists.sms(appName);
    case 'password_changed':
      return catalog.passwordChanged.sms(appName);
    case 'mfa_reset':
      return catalog.mfaReset.sms(appName);
  }
}

const formatTime = (iso: string) => new Date(iso).toUTCString();
