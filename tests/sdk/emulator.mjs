// Starts ucgate-emulator (UCGATE_EMULATOR_BIN) on a free loopback port for an
// SDK test and stops it, checking it exits cleanly.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

import { RestClientError, UploadcareAuthSchema } from '@uploadcare/rest-client';

// One emulator for a test file: started before its tests and stopped after
// them (node:test hooks). settings(): the SDK settings for its keys;
// baseUrl(): where it listens.
export function useEmulator({ publicKey, secretKey, seedFiles }) {
  let emulator;
  before(async () => {
    emulator = await startEmulator({ publicKey, secretKey, seedFiles });
  });
  after(async () => {
    if (emulator) await emulator.stop();
  });
  return {
    settings: () => clientSettings(emulator.baseUrl, { publicKey, secretKey }),
    baseUrl: () => emulator.baseUrl,
  };
}

// Resolves to { baseUrl, stop } once the emulator prints its address.
export async function startEmulator({ publicKey, secretKey, seedFiles }) {
  const binary = process.env.UCGATE_EMULATOR_BIN;
  assert.ok(binary, 'UCGATE_EMULATOR_BIN must name the ucgate-emulator binary');
  const emulator = spawn(
    binary,
    ['--listen', '127.0.0.1:0', '--seed-files', String(seedFiles)],
    {
      env: {
        ...process.env,
        UCGATE_EMULATOR_PUBLIC_KEY: publicKey,
        UCGATE_EMULATOR_SECRET_KEY: secretKey,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: emulator.stdout });
  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('ucgate-emulator did not report its address')),
      10000,
    );
    emulator.once('exit', (code) =>
      reject(new Error(`ucgate-emulator exited early (${code})`)),
    );
    lines.on('line', (line) => {
      const match = /^listening on (\S+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  async function stop() {
    if (emulator.exitCode !== null) return;
    const exited = new Promise((resolve) => emulator.once('exit', resolve));
    emulator.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
  return { baseUrl, stop };
}

// The SDK's settings for signed requests to the emulator at `baseUrl`.
export function clientSettings(baseUrl, { publicKey, secretKey }) {
  return {
    apiBaseURL: `${baseUrl}/`,
    authSchema: new UploadcareAuthSchema({ publicKey, secretKey }),
    // Fail fast: the SDK retries network errors with growing pauses.
    retryNetworkErrorMaxTimes: 0,
  };
}

// `promise` fails with the SDK's RestClientError of HTTP `status`.
export async function assertRestError(promise, status) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof RestClientError, String(error));
    assert.equal(error.status, status);
    return true;
  });
}
