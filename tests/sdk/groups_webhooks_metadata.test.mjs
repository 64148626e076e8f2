// Uploadcare's official JS REST client (@uploadcare/rest-client) drives the
// emulator's groups, webhooks and file metadata with signed requests: it
// lists, reads and deletes seeded groups, creates, lists, updates and deletes
// webhooks, and sets, reads and deletes metadata keys. The SDK has no project
// endpoint function, so GET /project/ is not driven here. Run by ctest
// (label sdk) with UCGATE_EMULATOR_BIN set.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  createWebhook,
  deleteGroup,
  deleteMetadata,
  deleteWebhook,
  getMetadata,
  getMetadataValue,
  groupInfo,
  listOfFiles,
  listOfGroups,
  listOfWebhooks,
  updateMetadata,
  updateWebhook,
} from '@uploadcare/rest-client';

import { assertRestError, useEmulator } from './emulator.mjs';

const PUBLIC_KEY = 'sdkpublickey';
const SECRET_KEY = 'sdksecretkey';
const SEED_FILES = 250;

const { settings, baseUrl } = useEmulator({
  publicKey: PUBLIC_KEY,
  secretKey: SECRET_KEY,
  seedFiles: SEED_FILES,
});

describe('@uploadcare/rest-client groups against ucgate-emulator', () => {
  test('lists groups oldest first, reads one with its files, deletes it', async () => {
    const page = await listOfGroups({ limit: 5 }, settings());
    assert.equal(page.perPage, 5);
    assert.equal(page.results.length, 5);
    assert.ok(page.total >= 5, `total ${page.total}`);
    assert.equal(page.previous, null);
    assert.match(page.next, new RegExp(`^${baseUrl()}/groups/\\?`));
    const created = page.results.map((group) => group.datetimeCreated);
    assert.deepEqual([...created].sort(), created);

    const newestFirst = await listOfGroups(
      { limit: 5, ordering: '-datetime_created' },
      settings(),
    );
    const newest = newestFirst.results.map((group) => group.datetimeCreated);
    assert.deepEqual([...newest].sort().reverse(), newest);

    const short = page.results[0];
    assert.match(short.id, /^[0-9a-f-]{36}~\d+$/);
    assert.equal(short.filesCount, Number(short.id.split('~')[1]));
    assert.equal(short.files, undefined);

    const group = await groupInfo({ uuid: short.id }, settings());
    assert.equal(group.id, short.id);
    assert.equal(group.datetimeCreated, short.datetimeCreated);
    assert.equal(group.filesCount, short.filesCount);
    assert.equal(group.files.length, short.filesCount);
    assert.equal(group.cdnUrl, short.cdnUrl);
    assert.ok(group.cdnUrl.includes(short.id), group.cdnUrl);
    for (const file of group.files) {
      if (file !== null) assert.match(file.uuid, /^[0-9a-f-]{36}$/);
    }

    await deleteGroup({ uuid: short.id }, settings());
    await assertRestError(groupInfo({ uuid: short.id }, settings()), 404);
    await assertRestError(deleteGroup({ uuid: short.id }, settings()), 404);
    const after = await listOfGroups({ limit: 5 }, settings());
    assert.equal(after.total, page.total - 1);
    assert.ok(!after.results.some((g) => g.id === short.id));
  });
});

describe('@uploadcare/rest-client webhooks against ucgate-emulator', () => {
  test('creates, lists, updates and deletes a webhook', async () => {
    const targetUrl = 'https://hooks.example.com/uploaded';
    const before = await listOfWebhooks({}, settings());
    const created = await createWebhook(
      { targetUrl, event: 'file.uploaded', isActive: true, signingSecret: 'sekret' },
      settings(),
    );
    assert.equal(typeof created.id, 'number');
    assert.equal(created.targetUrl, targetUrl);
    assert.equal(created.event, 'file.uploaded');
    assert.equal(created.isActive, true);
    assert.equal(created.signingSecret, 'sekret');
    assert.ok(!Number.isNaN(Date.parse(created.created)), created.created);

    // The same target and event twice is refused.
    await assertRestError(
      createWebhook({ targetUrl, event: 'file.uploaded' }, settings()),
      400,
    );

    const listed = await listOfWebhooks({}, settings());
    assert.equal(listed.length, before.length + 1);
    const mine = listed.find((hook) => hook.id === created.id);
    assert.ok(mine, 'created webhook is listed');
    assert.equal(mine.targetUrl, targetUrl);
    assert.equal(mine.event, 'file.uploaded');

    const newTarget = 'https://hooks.example.com/renamed';
    const updated = await updateWebhook(
      { id: created.id, targetUrl: newTarget, isActive: false },
      settings(),
    );
    assert.equal(updated.id, created.id);
    assert.equal(updated.targetUrl, newTarget);
    assert.equal(updated.isActive, false);
    assert.equal(updated.event, 'file.uploaded');
    const relisted = await listOfWebhooks({}, settings());
    const renamed = relisted.find((hook) => hook.id === created.id);
    assert.equal(renamed.targetUrl, newTarget);
    assert.equal(renamed.isActive, false);

    await deleteWebhook({ targetUrl: newTarget }, settings());
    const final = await listOfWebhooks({}, settings());
    assert.equal(final.length, before.length);
    assert.ok(!final.some((hook) => hook.id === created.id));
  });
});

describe('@uploadcare/rest-client file metadata against ucgate-emulator', () => {
  test('sets, reads and deletes a metadata key', async () => {
    const files = await listOfFiles({ limit: 1 }, settings());
    const { uuid } = files.results[0];
    const original = await getMetadata({ uuid }, settings());

    const written = await updateMetadata(
      { uuid, key: 'sdk_key', value: 'first value' },
      settings(),
    );
    assert.equal(written, 'first value');
    assert.equal(
      await getMetadataValue({ uuid, key: 'sdk_key' }, settings()),
      'first value',
    );
    await updateMetadata({ uuid, key: 'sdk_key', value: 'second' }, settings());
    await updateMetadata({ uuid, key: 'other.key-2', value: 'x' }, settings());
    assert.deepEqual(await getMetadata({ uuid }, settings()), {
      ...original,
      sdk_key: 'second',
      'other.key-2': 'x',
    });

    await deleteMetadata({ uuid, key: 'sdk_key' }, settings());
    await assertRestError(getMetadataValue({ uuid, key: 'sdk_key' }, settings()), 404);
    assert.deepEqual(await getMetadata({ uuid }, settings()), {
      ...original,
      'other.key-2': 'x',
    });
  });
});
