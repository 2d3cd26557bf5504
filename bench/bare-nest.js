'use strict';
// The baseline: the same framework, adapter and process model as the service, with nothing
// of ours in it. Plain JS (decorators applied by hand) so the bench needs no compile step.
// Usage: node bench/bare-nest.js <port>   — prints "ready" on stdout once listening.
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');

class BareController {
  ok() {
    return { ok: true };
  }
}
Controller()(BareController);
Get()(BareController.prototype, 'ok', Object.getOwnPropertyDescriptor(BareController.prototype, 'ok'));

class BareModule {}
Module({ controllers: [BareController] })(BareModule);

async function main() {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0) throw new Error('usage: node bench/bare-nest.js <port>');
  const app = await NestFactory.create(BareModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(port, '127.0.0.1');
  process.stdout.write('ready\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
