'use strict';
// Receivers for what the service sends while measured: production settings refuse the `log`
// transports, so mail goes to a local SMTP server and SMS to a local HTTP endpoint, both of
// which accept and count every message and hand the code in it to whoever waits for one.
const http = require('node:http');
const { once } = require('node:events');
const { simpleParser } = require('mailparser');
const { SMTPServer } = require('smtp-server');

const CODE = /\b(\d{6})\b/;

async function startMessageSinks() {
  const waiting = new Map();
  const counts = { mail: 0, sms: 0 };
  const received = (address, code) => {
    for (const deliver of waiting.get(address) ?? []) deliver(code);
    waiting.delete(address);
  };
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      // The code is read from the decoded text: the raw message holds other digits (headers,
      // MIME boundaries) and may be transfer-encoded.
      simpleParser(stream)
        .then((mail) => {
          counts.mail++;
          const code = CODE.exec(mail.text ?? '');
          for (const recipient of session.envelope.rcptTo) if (code) received(recipient.address.toLowerCase(), code[1]);
          callback();
        })
        .catch(callback);
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
        if (code) received(to, code[1]);
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
    /**
     * The code of the next message to `address`, or null if none arrives within `timeoutMs`. Ask
     * before the request that sends it: the message may arrive before the request is answered.
     */
    nextCode(address, timeoutMs) {
      const key = address.toLowerCase();
      return new Promise((resolve) => {
        const settle = (code) => {
          clearTimeout(timer);
          const waiters = waiting.get(key);
          waiters?.delete(settle);
          if (waiters?.size === 0) waiting.delete(key);
          resolve(code);
        };
        const timer = setTimeout(() => settle(null), timeoutMs);
        timer.unref();
        if (!waiting.has(key)) waiting.set(key, new Set());
        waiting.get(key).add(settle);
      });
    },
    close: () => Promise.all([new Promise((resolve) => smtp.close(resolve)), new Promise((resolve) => sms.close(resolve))]),
  };
}

module.exports = { startMessageSinks };
