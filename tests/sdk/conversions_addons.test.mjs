// Uploadcare's official JS REST client (@uploadcare/rest-client) drives the
// emulator's conversions and add-ons: it starts jobs, reads their status and
// the per-path problems, runs add-ons and sees the service's errors (409 on a
// concurrent run, 400 field maps). The standalone emulator runs on the system
// clock, so only the first state of each job (reached at once) is asserted;
// the timed transitions are covered with a ManualClock in
// tests/emulator/emulator_jobs_test.cc. Run by ctest (label sdk).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from './emulator.mjs';

import {
  RestClientError,
  UploadcareAuthSchema,
  addonExecutionStatus,
  conversionInfo,
  conversionJobStatus,
  convert,
  executeAddon,
  listOfFiles,
  paginate,
} from '@uploadcare/rest-client';

const PUBLIC_KEY = 'sdkpublickey';
const SECRET_KEY = 'sdksecretkey';
const SEED_FILES = 250;

let baseUrl;

function settings() {
  return {
    apiBaseURL: `${baseUrl}/`,
    authSchema: new UploadcareAuthSchema({ publicKey: PUBLIC_KEY, secretKey: SECRET_KEY }),
    // Fail fast: the SDK retries network errors with growing pauses.
    retryNetworkErrorMaxTimes: 0,
  };
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


// The first live seeded file whose name ends with `extension`.
async function seededFile(extension) {
  for await (const page of paginate(listOfFiles)({ limit: 100 }, settings())) {
    const file = page.results.find(
      (item) => item.originalFilename.endsWith(extension) && !item.datetimeRemoved,
    );
    if (file) return file.uuid;
  }
  assert.fail(`no seeded ${extension} file`);
}

describe('@uploadcare/rest-client conversions and add-ons against ucgate-emulator', () => {
  test('converts a document and reads the job and the document info', async () => {
    const source = await seededFile('.docx');
    const path = `${source}/document/-/format/pdf/`;
    const started = await convert(
      { type: 'document', paths: [path], store: true, saveInGroup: false },
      settings(),
    );
    assert.equal(started.result.length, 1);
    assert.equal(started.result[0].originalSource, path);
    assert.match(started.result[0].uuid, /^[0-9a-f-]{36}$/);
    assert.deepEqual(started.problems, {});
    const status = await conversionJobStatus(
      { type: 'document', token: started.result[0].token },
      settings(),
    );
    assert.ok(['pending', 'processing'].includes(status.status), status.status);
    const info = await conversionInfo({ uuid: source }, settings());
    assert.equal(info.error, null);
    assert.equal(info.format.name, 'docx');
    assert.ok(info.format.conversionFormats.some((format) => format.name === 'pdf'));
  });

  test('reports an unsupported conversion per path, as the service words it', async () => {
    const source = await seededFile('.txt');
    const path = `${source}/document/-/format/jpg/-/page/1/`;
    const answer = await convert({ type: 'document', paths: [path] }, settings());
    assert.deepEqual(answer.result, []);
    assert.equal(
      answer.problems[path],
      "the target_format is not a supported 'to' format for this source file. txt -> jpg",
    );
  });

  test('runs an add-on and refuses a second run while the first is going', async () => {
    const target = await seededFile('.docx');
    const options = {
      addonName: 'uc_clamav_virus_scan',
      target,
      params: { purge_infected: false },
    };
    const { requestId } = await executeAddon(options, settings());
    assert.match(requestId, /^[0-9a-f-]{36}$/);
    await assert.rejects(executeAddon(options, settings()), (error) => {
      assert.ok(error instanceof RestClientError);
      assert.equal(error.status, 409);
      return true;
    });
    const status = await addonExecutionStatus(
      { addonName: 'uc_clamav_virus_scan', requestId },
      settings(),
    );
    assert.equal(status.status, 'in_progress');
  });

  test('reports a bad add-on target as the service does', async () => {
    await assert.rejects(
      executeAddon({ addonName: 'remove_bg', target: 'nonexistent' }, settings()),
      (error) => {
        assert.ok(error instanceof RestClientError);
        assert.equal(error.status, 400);
        return true;
      },
    );
  });
});
