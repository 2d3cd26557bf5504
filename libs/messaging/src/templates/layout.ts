const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => ESCAPES[char]);

export interface EmailLayout {
  appName: string;
  /** Shown by mail clients next to the subject; not visible in the body. */
  preheader: string;
  greeting: string;
  paragraphsBefore: string[];
  code?: string;
  paragraphsAfter: string[];
  tip?: string;
  footer: string;
}

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

const paragraph = (text: string) =>
  `<p style="margin:0 0 16px;${FONT};font-size:16px;line-height:24px;color:#1f2933">${escapeHtml(text)}</p>`;

const codeBlock = (code: string) =>
  `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 24px"><tr><td style="background:#f0f4f8;border-radius:8px;padding:16px 28px;font-family:'SFMono-Regular',Consolas,'Liberation Mono',Menlo,monospace;font-size:34px;font-weight:700;letter-spacing:8px;color:#102a43">${escapeHtml(code)}</td></tr></table>`;

const tipBlock = (tip: string) =>
  `<p style="margin:0 0 16px;padding:12px 16px;border-left:4px solid #f0b429;background:#fffbea;${FONT};font-size:14px;line-height:20px;color:#513c06">${escapeHtml(tip)}</p>`;

/**
 * One responsive HTML email: a single centred column of at most 560px, tables for layout and
 * inline styles only, because many mail clients drop <style> blocks and ignore flexbox.
 */
export function renderHtml(layout: EmailLayout): string {
  const body = [
    paragraph(layout.greeting),
    ...layout.paragraphsBefore.map(paragraph),
    layout.code ? codeBlock(layout.code) : '',
    ...layout.paragraphsAfter.map(paragraph),
    layout.tip ? tipBlock(layout.tip) : '',
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>${escapeHtml(layout.appName)}</title>
</head>
<body style="margin:0;padding:0;background:#f5f7fa">
<div style="display:none;max-height:0;overflow:hidden;opacity:0">${escapeHtml(layout.preheader)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f5f7fa">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:12px;border:1px solid #e4e7eb">
<tr><td style="padding:24px 32px;border-bottom:1px solid #e4e7eb;${FONT};font-size:20px;font-weight:700;color:#102a43">${escapeHtml(layout.appName)}</td></tr>
<tr><td style="padding:32px">
${body}
</td></tr>
<tr><td style="padding:20px 32px;border-top:1px solid #e4e7eb;${FONT};font-size:12px;line-height:18px;color:#7b8794">${escapeHtml(layout.footer)}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>`;
}

/** The plain-text alternative of the same email. */
export function renderText(layout: EmailLayout): string {
  return [
    layout.greeting,
    ...layout.paragraphsBefore,
    ...(layout.code ? [`    ${layout.code}`] : []),
    ...layout.paragraphsAfter,
    ...(layout.tip ? [layout.tip] : []),
    '--',
    layout.footer,
  ].join('\n\n');
}
