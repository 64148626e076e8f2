// Independent clients against a running ucgate (embedded emulator): gRPC
// clients not written here must be able to call it, from the proto files
// (@grpc/grpc-js) and by server reflection alone (buf curl).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const here = path.dirname(fileURLToPath(import.meta.url));
const protoRoot = path.resolve(here, '../../proto');
const buf = path.join(here, 'node_modules/.bin/buf');
const gatewayBin = process.env.UCGATE_BIN;

let gateway;
let address;

function startGateway() {
  return new Promise((resolve, reject) => {
    gateway = spawn(gatewayBin, ['--emulator', '--listen', '127.0.0.1:0', '--emulator-files', '300'],
                    { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    gateway.stdout.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/listening on (127\.0\.0\.1:\d+)/);
      if (match) resolve(match[1]);
    });
    gateway.on('exit', (code) => reject(new Error(`ucgate exited with ${code}: ${output}`)));
  });
}

before(async () => {
  assert.ok(gatewayBin, 'UCGATE_BIN must point at the ucgate binary');
  address = await startGateway();
});

after(() => gateway?.kill('SIGTERM'));

function fileService() {
  const definition = protoLoader.loadSync('uploadcare/gateway/v1/file_service.proto', {
    includeDirs: [protoRoot], keepCase: true, longs: Number, defaults: false, oneofs: true,
  });
  const v1 = grpc.loadPackageDefinition(definition).uploadcare.gateway.v1;
  return new v1.FileService(address, grpc.credentials.createInsecure());
}

function call(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + 10000 }, (error, response) =>
      error ? reject(error) : resolve(response));
  });
}

test('grpc-js lists, reads, stores and deletes files through the gateway', async () => {
  const client = fileService();
  const page = await call(client, 'ListFiles', { page_size: 5 });
  assert.equal(page.files.length, 5);
  assert.ok(page.next_page_token.length > 0);
  assert.ok(Number(page.total_size) >= 5);
  const next = await call(client, 'ListFiles', { page_size: 5, page_token: page.next_page_token });
  assert.notEqual(next.files[0].uuid, page.files[0].uuid);

  const uuid = page.files.find((f) => !f.datetime_removed).uuid;
  const got = await call(client, 'GetFile', { uuid });
  assert.equal(got.file.uuid, uuid);
  const stored = await call(client, 'StoreFile', { uuid });
  assert.ok(stored.file.datetime_stored, 'stored file has datetime_stored');
  const deleted = await call(client, 'DeleteFile', { uuid });
  assert.ok(deleted.file.datetime_removed, 'deleted file has datetime_removed');
  client.close();
});

test('grpc-js reads a whole StreamFiles listing, the same files as the ListFiles pages', async () => {
  const client = fileService();
  const walked = [];
  let token = '';
  do {
    const page = await call(client, 'ListFiles', { page_size: 100, page_token: token });
    walked.push(...page.files.map((f) => f.uuid));
    token = page.next_page_token;
  } while (token);
  const streamed = [];
  let resumeToken = '';
  await new Promise((resolve, reject) => {
    const stream = client.StreamFiles({ page_size: 120 }, { deadline: Date.now() + 10000 });
    stream.on('data', (batch) => {
      assert.ok(batch.files.length <= 100);
      streamed.push(...batch.files.map((f) => f.uuid));
      resumeToken = batch.resume_token;
    });
    stream.on('error', reject);
    stream.on('end', resolve);
  });
  assert.deepEqual(streamed, walked);
  assert.ok(resumeToken.length > 0, 'every message carries a resume token');
  client.close();
});

test('grpc-js sees INVALID_ARGUMENT with the field named', async () => {
  const client = fileService();
  await assert.rejects(call(client, 'GetFile', { uuid: 'nope' }), (error) => {
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT);
    assert.match(error.details, /^uuid: /);
    return true;
  });
  await assert.rejects(
    call(client, 'GetFile', { uuid: '00000000-0000-4000-8000-000000000000' }),
    (error) => error.code === grpc.status.NOT_FOUND);
  client.close();
});

test('buf curl discovers every service by reflection, health included', () => {
  const target = `http://${address}`;
  const curl = (...args) => execFileSync(buf, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge',
                                               ...args], { encoding: 'utf8' });
  const services = curl('--list-services', target).trim().split('\n');
  assert.deepEqual(services.sort(), ['grpc.health.v1.Health', 'grpc.reflection.v1alpha.ServerReflection',
                                     'uploadcare.gateway.v1.AddonService',
                                     'uploadcare.gateway.v1.ConversionService',
                                     'uploadcare.gateway.v1.FileService',
                                     'uploadcare.gateway.v1.GroupService',
                                     'uploadcare.gateway.v1.ProjectService',
                                     'uploadcare.gateway.v1.WebhookService']);
  // Listing methods needs each service's descriptor: reflection must describe
  // every service it lists (Debian's gRPC registers none for health).
  const methods = curl('--list-methods', target);
  for (const method of ['grpc.health.v1.Health/Check', 'uploadcare.gateway.v1.FileService/GetFile',
                        'uploadcare.gateway.v1.FileService/CopyFileToRemoteStorage',
                        'uploadcare.gateway.v1.GroupService/StoreGroup',
                        'uploadcare.gateway.v1.ConversionService/ConvertVideo',
                        'uploadcare.gateway.v1.AddonService/ExecuteAddon']) {
    assert.ok(methods.includes(method), `${method} in ${methods}`);
  }
  const health = JSON.parse(curl(`${target}/grpc.health.v1.Health/Check`));
  assert.equal(health.status, 'SERVING');
  const page = JSON.parse(curl('-d', '{"pageSize": 2}',
                               `${target}/uploadcare.gateway.v1.FileService/ListFiles`));
  assert.equal(page.files.length, 2);
  const project = JSON.parse(curl(`${target}/uploadcare.gateway.v1.ProjectService/GetProject`));
  assert.equal(project.project.pubKey, 'demopublickey');
  const groups = JSON.parse(curl('-d', '{"pageSize": 2}',
                                 `${target}/uploadcare.gateway.v1.GroupService/ListGroups`));
  assert.equal(groups.groups.length, 2);
});
