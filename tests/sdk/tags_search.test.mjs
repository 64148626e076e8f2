// Uploadcare's official JS REST client (@uploadcare/rest-client 6.21) drives
// the emulator's file tags and file search (the service's 2026 additions)
// with signed requests: getTags, replaceTags and updateTags with the
// service's normalization and change lists, and searchFiles with tag, image
// and range conditions, sort keys, highlights and limit/offset pages. Run by
// ctest (label sdk) with UCGATE_EMULATOR_BIN set.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  getTags,
  listOfFiles,
  replaceTags,
  searchFiles,
  updateTags,
} from '@uploadcare/rest-client';

import { assertRestError, useEmulator } from './emulator.mjs';

const PUBLIC_KEY = 'sdktagspublickey';
const SECRET_KEY = 'sdktagssecretkey';
const SEED_FILES = 60;

const { settings } = useEmulator({
  publicKey: PUBLIC_KEY,
  secretKey: SECRET_KEY,
  seedFiles: SEED_FILES,
});

describe('@uploadcare/rest-client tags against ucgate-emulator', () => {
  test('replaces and updates tags as the service normalizes them', async () => {
    const [file] = (await listOfFiles({ limit: 1 }, settings())).results;
    assert.deepEqual(await getTags({ uuid: file.uuid }, settings()), { tags: [] });

    const replaced = await replaceTags(
      { uuid: file.uuid, tags: ['Cat', ' animal ', 'cat', ''] },
      settings(),
    );
    assert.deepEqual(replaced, { tags: ['cat', 'animal'], added: ['animal', 'cat'], deleted: [] });

    // Delete first, then add: "animal" is removed and added back last.
    const updated = await updateTags(
      { uuid: file.uuid, add: ['dog', 'animal'], delete: ['cat', 'animal'] },
      settings(),
    );
    assert.deepEqual(updated, { tags: ['dog', 'animal'], added: ['dog'], deleted: ['cat'] });
    assert.deepEqual(await getTags({ uuid: file.uuid }, settings()), { tags: ['dog', 'animal'] });

    await assertRestError(replaceTags({ uuid: file.uuid, tags: ['no/slash'] }, settings()), 400);
    const cleared = await replaceTags({ uuid: file.uuid, tags: [] }, settings());
    assert.deepEqual(cleared, { tags: [], added: [], deleted: ['animal', 'dog'] });
  });
});

describe('@uploadcare/rest-client searchFiles against ucgate-emulator', () => {
  test('finds tagged files, with a highlight per result', async () => {
    const files = (await listOfFiles({ limit: 3 }, settings())).results;
    for (const file of files.slice(0, 2)) {
      await replaceTags({ uuid: file.uuid, tags: ['searchable'] }, settings());
    }
    await replaceTags({ uuid: files[2].uuid, tags: ['searchable', 'hidden'] }, settings());

    const found = await searchFiles(
      { tags: { all: ['searchable'], none: ['hidden'] }, sort: [{ field: 'datetimeUploaded' }] },
      settings(),
    );
    assert.equal(found.total, 2);
    assert.equal(found.perPage, 20);
    assert.equal(found.next, null);
    assert.deepEqual(found.results.map((file) => file.uuid), files.slice(0, 2).map((f) => f.uuid));
    for (const result of found.results) {
      assert.deepEqual(result.tags, ['searchable']);
      assert.deepEqual(result.highlight, {});
    }
  });

  test('is_image and sort are applied, pages go by limit and offset', async () => {
    const images = await searchFiles(
      { isImage: true, sort: [{ field: 'size', order: 'desc' }], limit: 5 },
      settings(),
    );
    assert.equal(images.results.length, 5);
    assert.ok(images.results.every((file) => file.isImage === true));
    const sizes = images.results.map((file) => file.size);
    assert.deepEqual([...sizes].sort((a, b) => b - a), sizes);
    assert.match(images.next, /\/files\/search\/\?limit=5&offset=5$/);

    const second = await searchFiles(
      { isImage: true, sort: [{ field: 'size', order: 'desc' }], limit: 5, offset: 5 },
      settings(),
    );
    assert.ok(second.results[0].size <= sizes.at(-1));
    assert.notEqual(second.previous, null);

    const others = await searchFiles(
      { isImage: false, sort: [{ field: 'datetimeUploaded', order: 'desc' }], limit: 100 },
      settings(),
    );
    // Removed files are not found: the two sides make the present files.
    const present = (await listOfFiles({ limit: 1 }, settings())).total;
    assert.equal(others.total + images.total, present);
    assert.ok(others.results.every((file) => file.isImage !== true));
    const uploaded = others.results.map((file) => file.datetimeUploaded);
    assert.deepEqual([...uploaded].sort().reverse(), uploaded);
  });

  test('full text highlights the match; the service refusals come through', async () => {
    const [file] = (await listOfFiles({ limit: 1 }, settings())).results;
    const term = file.originalFilename.slice(0, 4).toLowerCase();
    const found = await searchFiles({ query: term, size: { lte: file.size } }, settings());
    const hit = found.results.find((result) => result.uuid === file.uuid);
    assert.ok(hit, `${file.uuid} not found by "${term}"`);
    assert.ok(hit.highlight.originalFilename.some((fragment) => fragment.includes('<em>')));

    await assertRestError(searchFiles({}, settings()), 400);
    await assertRestError(searchFiles({ query: 'abc' }, settings()), 400);
    await assertRestError(searchFiles({ isImage: true, limit: 100, offset: 900 }, settings()), 400);
  });
});
