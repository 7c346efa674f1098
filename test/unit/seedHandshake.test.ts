// The textbook handshake of examples/seed-handshake.trace, and the same with a wrong SYN-ACK ack.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { analyzeTrace } from '../../server/src/trace/index';
import { spanText } from '../helpers/trace';

const seedPath = path.join(__dirname, '../../../examples/seed-handshake.trace');

test('the seed handshake is complete and clean', () => {
  const text = fs.readFileSync(seedPath, 'utf8');
  const a = analyzeTrace(text);
  assert.deepEqual(a.findings, []);
  assert.equal(a.connections.length, 1);
  const c = a.connections[0]!;
  assert.equal(c.handshake, 'complete');
  assert.equal(`${c.client.endpoint.host}.${c.client.endpoint.portText}`, '192.168.1.116.3337');
  assert.equal(c.segments.at(2).clientState[1], 'ESTABLISHED');
  assert.equal(c.segments.at(2).serverState[1], 'ESTABLISHED');
});

test('a SYN-ACK acking ISN+2 gets handshake.bad-ack on exactly that number, naming the expected value', () => {
  const text = fs.readFileSync(seedPath, 'utf8').replace('ack 3626544837', 'ack 3626544838');
  const a = analyzeTrace(text);
  const bad = a.findings.filter((f) => f.code === 'handshake.bad-ack');
  assert.equal(bad.length, 1);
  assert.equal(spanText(text, bad[0]!.span), '3626544838');
  assert.equal(bad[0]!.severity, 'error');
  assert.match(bad[0]!.message, /expected ack 3626544837/);
  assert.equal(bad[0]!.related.length, 1, 'points at the SYN it answers');
});
