// Records the requests Uploadcare's official JS REST client (6.21) sends for
// the calls whose wire shape the gateway must match byte for byte (tags,
// search, and the fields the caller may leave unset), into
// tests/data/sdk/js_client_requests.json, which
// tests/upstream/rest/rest_js_client_requests_test.cc replays against the REST
// stubs. A throwaway local server answers each call; nothing leaves the host.
//   node tests/sdk/record_requests.mjs   (after `npm ci --prefix tests/sdk`)
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import {
  UploadcareAuthSchema,
  convert,
  copyFileToLocalStorage,
  createWebhook,
  executeAddon,
  getTags,
  replaceTags,
  searchFiles,
  updateTags,
} from '@uploadcare/rest-client';

const UUID = '3c269810-c17b-4e2c-92b6-25622464d866';
const OTHER = '8f64f313-e6b1-4731-96c0-6751f1e7a50a';

// Each case: a name, the call, and the answer the fake server gives.
const cases = [
  ['get_tags', (s) => getTags({ uuid: UUID }, s), 200, { tags: ['cat'] }],
  ['replace_tags', (s) => replaceTags({ uuid: UUID, tags: ['Cat', ' animal '] }, s),
    200, { tags: ['cat', 'animal'], added: ['animal', 'cat'], deleted: [] }],
  ['replace_tags_empty', (s) => replaceTags({ uuid: UUID, tags: [] }, s),
    200, { tags: [], added: [], deleted: ['cat'] }],
  ['update_tags', (s) => updateTags({ uuid: UUID, add: ['dog'], delete: ['cat'] }, s),
    200, { tags: ['dog'], added: ['dog'], deleted: ['cat'] }],
  ['update_tags_add_only', (s) => updateTags({ uuid: UUID, add: ['dog'] }, s),
    200, { tags: ['dog'], added: ['dog'], deleted: [] }],
  ['update_tags_delete_only', (s) => updateTags({ uuid: UUID, delete: ['dog'] }, s),
    200, { tags: [], added: [], deleted: ['dog'] }],
  ['search_query', (s) => searchFiles({ query: 'holiday' }, s), 200,
    { next: null, previous: null, total: 0, per_page: 20, results: [] }],
  ['search_everything', (s) => searchFiles({
    query: 'beach',
    phrase: { originalFilename: 'sunset' },
    exact: {
      uuid: [UUID, OTHER],
      detectedMimeType: ['image/png'],
      metadata: { camera: ['Canon', 'Nikon'], owner: ['ann'] },
    },
    datetimeUploaded: { gte: new Date('2024-05-01T00:00:00Z'), lt: new Date('2024-06-01T12:30:00.250Z') },
    size: { gt: 1024, lte: 1048576 },
    isImage: true,
    fuzziness: true,
    tags: { any: ['cat', 'dog'], all: ['pet'], none: ['draft'] },
    sort: [{ field: 'datetimeUploaded', order: 'desc' }, { field: 'size' }, { field: 'score' }],
    limit: 50,
    offset: 100,
    include: 'appdata',
  }, s), 200, { next: null, previous: null, total: 0, per_page: 50, results: [] }],
  ['search_phrase_metadata', (s) => searchFiles({
    phrase: { detectedMimeType: 'image', metadata: 'vacation' },
    isImage: false,
    limit: 10,
  }, s), 200, { next: null, previous: null, total: 0, per_page: 10, results: [] }],
  ['convert_document_unset', (s) => convert({
    type: 'document', paths: [`${UUID}/document/-/format/pdf/`],
  }, s), 200, { result: [], problems: {} }],
  ['convert_document_set', (s) => convert({
    type: 'document', paths: [`${UUID}/document/-/format/pdf/`], store: false, saveInGroup: true,
  }, s), 200, { result: [], problems: {} }],
  ['convert_video_store', (s) => convert({
    type: 'video', paths: [`${UUID}/video/`], store: true,
  }, s), 200, { result: [], problems: {} }],
  ['local_copy_unset', (s) => copyFileToLocalStorage({ source: UUID }, s), 201,
    { type: 'file', result: { uuid: UUID } }],
  ['local_copy_store', (s) => copyFileToLocalStorage({ source: UUID, store: false }, s), 201,
    { type: 'file', result: { uuid: UUID } }],
  ['create_webhook_unset', (s) => createWebhook({
    targetUrl: 'https://example.com/hook', event: 'file.uploaded',
  }, s), 201, { id: 1, event: 'file.uploaded', target_url: 'https://example.com/hook', is_active: true, version: '0.7' }],
  ['clamav_without_params', (s) => executeAddon({
    addonName: 'uc_clamav_virus_scan', target: UUID,
  }, s), 200, { request_id: '8db3c8b4-2dea-4146-bcdb-63387e2b33c1' }],
];

const recorded = [];
let answer = null;
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => { body += chunk; });
  request.on('end', () => {
    recorded.at(-1).request = {
      method: request.method,
      target: request.url,
      content_type: request.headers['content-type'] ?? '',
      body,
    };
    response.writeHead(answer.status, {
      'Content-Type': 'application/vnd.uploadcare-v0.7+json',
    });
    response.end(JSON.stringify(answer.body));
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const settings = {
  apiBaseURL: `http://127.0.0.1:${server.address().port}/`,
  authSchema: new UploadcareAuthSchema({ publicKey: 'testpk', secretKey: 'testsk' }),
  retryNetworkErrorMaxTimes: 0,
};
for (const [name, call, status, body] of cases) {
  answer = { status, body };
  recorded.push({ name });
  await call(settings);
}
server.close();
const output = fileURLToPath(new URL('../data/sdk/js_client_requests.json', import.meta.url));
writeFileSync(output, `${JSON.stringify({
  client: '@uploadcare/rest-client 6.21.0',
  requests: recorded,
}, null, 2)}\n`);
console.log(`recorded ${recorded.length} requests into ${output}`);
