// Uploadcare's official JS REST client (@uploadcare/rest-client) against
// ucgate-emulator: if the SDK cannot tell the emulator from the service, it
// lists, reads, stores and deletes files with signed requests, and reports
// the service's errors. Run by ctest (label sdk) with UCGATE_EMULATOR_BIN set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from './emulator.mjs';

import {
  RestClientError,
  UploadcareAuthSchema,
  UploadcareSimpleAuthSchema,
  copyFileToLocalStorage,
  deleteFile,
  fileInfo,
  listOfFiles,
  paginate,
  storeFile,
  storeFiles,
} from '@uploadcare/rest-client';

const PUBLIC_KEY = 'sdkpublickey';
const SECRET_KEY = 'sdksecretkey';
const SEED_FILES = 250;

let baseUrl;

function settings(secretKey = SECRET_KEY) {
  return {
    apiBaseURL: `${baseUrl}/`,
    authSchema: new UploadcareAuthSchema({ publicKey: PUBLIC_KEY, secretKey }),
    // Fail fast: the SDK retries network errors with growing pauses.
    retryNetworkErrorMaxTimes: 0,
  };
}

async function control(method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    body: body && JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status}`);
}

// All files of the listing, following `next` the way the SDK does.
async function listAll(options) {
  const uuids = [];
  for await (const page of paginate(listOfFiles)(options, settings())) {
    uuids.push(...page.results.map((file) => file.uuid));
  }
  return uuids;
}

let stopEmulator;

before(async () => {
  ({ baseUrl, stop: stopEmulator } = await startEmulator({
    publicKey: PUBLIC_KEY,
    secretKey: SECRET_KEY,
    seedFiles: SEED_FILES,
  }));
});

after(async () => {
  await stopEmulator?.();
});

describe('@uploadcare/rest-client against ucgate-emulator', () => {
  test('lists files page by page with signed requests', async () => {
    const first = await listOfFiles({ limit: 100 }, settings());
    assert.equal(first.results.length, 100);
    assert.equal(first.perPage, 100);
    assert.equal(first.previous, null);
    assert.match(first.next, new RegExp(`^${baseUrl}/files/\\?limit=100&from=`));
    const { removed, stored, unstored } = first.totals;
    assert.equal(removed + stored + unstored, SEED_FILES);
    assert.equal(first.total, stored + unstored);

    // The second page, from the `next` URL as the SDK's paginator reads it.
    const query = Object.fromEntries(new URL(first.next).searchParams);
    const second = await listOfFiles(query, settings());
    assert.equal(second.results.length, 100);
    const firstUuids = new Set(first.results.map((file) => file.uuid));
    for (const file of second.results) {
      assert.ok(!firstUuids.has(file.uuid), `${file.uuid} repeated`);
    }
    assert.ok(second.previous.startsWith(`${baseUrl}/files/?`));

    // Every file, newest first. listOfFiles forwards only from/limit/
    // ordering/stored/removed of a `next` URL and drops its `offset`, so
    // where a page boundary splits files uploaded in the same microsecond
    // (the seed has such runs) the SDK sees a few files twice; none is missed.
    const all = await listAll({ limit: 30, ordering: '-datetime_uploaded' });
    assert.equal(new Set(all).size, first.total);
    assert.ok(all.length - first.total < 10, `${all.length} for ${first.total}`);
  });

  test('reads a file in the v0.7 shape', async () => {
    const { results } = await listOfFiles({ limit: 20 }, settings());
    const image = results.find((file) => file.isImage);
    assert.ok(image, 'an image among the first files');
    const info = await fileInfo({ uuid: image.uuid }, settings());
    assert.equal(info.uuid, image.uuid);
    assert.equal(info.url, `${baseUrl}/files/${image.uuid}/`);
    assert.equal(info.contentInfo.mime.type, 'image');
    assert.ok(info.contentInfo.image.width > 0);
    assert.equal(typeof info.metadata, 'object');
    assert.equal(info.imageInfo, undefined);
  });

  test('stores and deletes files', async () => {
    const { results } = await listOfFiles({ stored: false, limit: 3 }, settings());
    assert.equal(results.length, 3);
    for (const file of results) assert.equal(file.datetimeStored, null);

    const stored = await storeFile({ uuid: results[0].uuid }, settings());
    assert.equal(stored.uuid, results[0].uuid);
    assert.notEqual(stored.datetimeStored, null);

    const batch = await storeFiles(
      { uuids: [results[1].uuid, 'not-a-uuid'] },
      settings(),
    );
    assert.equal(batch.status, 'ok');
    assert.deepEqual(batch.problems, { 'not-a-uuid': 'Invalid' });
    assert.equal(batch.result.length, 1);
    assert.notEqual(batch.result[0].datetimeStored, null);

    const deleted = await deleteFile({ uuid: results[2].uuid }, settings());
    assert.notEqual(deleted.datetimeRemoved, null);
    const after = await fileInfo({ uuid: results[2].uuid }, settings());
    assert.equal(after.datetimeRemoved, deleted.datetimeRemoved);
    const listed = await listAll({ limit: 1000 });
    assert.ok(!listed.includes(results[2].uuid));
  });

  test('copies a file within the project', async () => {
    const { results } = await listOfFiles({ limit: 1 }, settings());
    const copy = await copyFileToLocalStorage(
      { source: results[0].uuid, store: true, metadata: { origin: 'sdk' } },
      settings(),
    );
    assert.equal(copy.type, 'file');
    assert.notEqual(copy.result.uuid, results[0].uuid);
    assert.equal(copy.result.size, 0);
    assert.deepEqual(copy.result.metadata, { origin: 'sdk' });
  });

  test('reports the 401 of a wrong secret', async () => {
    await assert.rejects(listOfFiles({}, settings('not-the-secret')), (error) => {
      assert.ok(error instanceof RestClientError);
      assert.equal(error.status, 401);
      assert.match(error.message, /Incorrect authentication credentials\./);
      return true;
    });
  });

  test('reports a missing file as 404', async () => {
    await assert.rejects(
      fileInfo({ uuid: '00000000-0000-4000-8000-000000000000' }, settings()),
      (error) => {
        assert.equal(error.status, 404);
        assert.match(error.message, /Not found\./);
        return true;
      },
    );
  });

  test('is refused Simple authentication over plain HTTP', async () => {
    const simple = {
      apiBaseURL: `${baseUrl}/`,
      authSchema: new UploadcareSimpleAuthSchema({
        publicKey: PUBLIC_KEY,
        secretKey: SECRET_KEY,
      }),
    };
    await assert.rejects(listOfFiles({}, simple), (error) => {
      assert.equal(error.status, 400);
      assert.match(error.message, /Simple authentication over HTTP is forbidden/);
      return true;
    });
  });

  test('retries a throttled request after Retry-After', async () => {
    await control('POST', '/__emulator/faults', {
      method: 'GET',
      path_prefix: '/files/',
      status: 429,
      retry_after_seconds: 0,
      times: 1,
    });
    const page = await listOfFiles({ limit: 1 }, settings());
    assert.equal(page.results.length, 1);
    await control('DELETE', '/__emulator/faults');
  });
});
