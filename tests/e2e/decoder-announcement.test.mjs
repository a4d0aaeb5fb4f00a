// The web client's join.decoders (web/src/call/decoders.ts) within the server's bound of 32
// header extensions: a browser that lists more must still announce the ones the server
// offers a subscriber (transport-wide-cc and abs-send-time), or every subscribe offer
// leaves them out and the server estimates that browser's downlink from nothing.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { repoRoot } from '../support/server.mjs';

const TRANSPORT_CC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const ABS_SEND_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';

async function loadDecoders() {
  const source = await readFile(path.join(repoRoot, 'web/src/call/decoders.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
}

function capabilities(extensionUris) {
  return (kind) => ({
    codecs: kind === 'audio'
      ? [{ mimeType: 'audio/opus', clockRate: 48000, channels: 2 }]
      : [{ mimeType: 'video/VP8', clockRate: 90000 }],
    headerExtensions: extensionUris.map((uri) => ({ uri })),
  });
}

test('the extensions the server offers are announced however many others the browser lists', async () => {
  const { decoderAnnouncement } = await loadDecoders();
  const others = Array.from({ length: 40 }, (_, i) => `urn:example:ext-${i}`);
  const announced = decoderAnnouncement(capabilities([...others, ABS_SEND_TIME, TRANSPORT_CC]));
  assert.equal(announced.header_extensions.length, 32, 'the server ignores an announcement past 32');
  assert.ok(announced.header_extensions.includes(TRANSPORT_CC));
  assert.ok(announced.header_extensions.includes(ABS_SEND_TIME));
  assert.deepEqual(announced.header_extensions.slice(2), others.slice(0, 30), 'then the rest, in the browser\'s order');
});

test('an extension the browser does not list is not announced', async () => {
  const { decoderAnnouncement } = await loadDecoders();
  const announced = decoderAnnouncement(capabilities(['urn:example:a', ABS_SEND_TIME]));
  assert.deepEqual(announced.header_extensions, [ABS_SEND_TIME, 'urn:example:a']);
});
