'use strict';
// Receivers for what the service sends while measured: production settings refuse the `log`
// transports, so mail goes to a local SMTP server and SMS to a local HTTP endpoint, both of
// which accept and count every message (and keep the last code sent to each address).
const http = require('node:http');
const { once } = require('node:events');
const { SMTPServer } = require('smtp-server');

const CODE = /\b(\d{6})\b/;

async function startMessageSinks() {
  const codes = new Map();
  const counts = { mail: 0, sms: 0 };
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let text = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => (text += chunk));
      stream.on('end', () => {
        counts.mail++;
        const code = CODE.exec(text.replace(/=\r?\n/g, ''));
        for (const recipient of session.envelope.rcptTo) if (code) codes.set(recipient.address.toLowerCase(), code[1]);
        callback();
      });
    },
  });
  smtp.listen(0, '127.0.0.1');
  await once(smtp.server, 'listening');
  const sms = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      counts.sms++;
      try {
        const { to, body: text } = JSON.parse(body);
        const code = CODE.exec(text);
        if (code) codes.set(to, code[1]);
      } catch {
        // Counted all the same.
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  sms.listen(0, '127.0.0.1');
  await once(sms, 'listening');
  return {
    mailUrl: `smtp://127.0.0.1:${smtp.server.address().port}`,
    smsUrl: `http://127.0.0.1:${sms.address().port}/sms`,
    counts,
    /** The last code sent to `address`, if any. */
    codeFor: (address) => codes.get(address.toLowerCase()),
    close: () => Promise.all([new Promise((resolve) => smtp.close(resolve)), new Promise((resolve) => sms.close(resolve))]),
  };
}

module.exports = { startMessageSinks };
