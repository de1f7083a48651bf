// Volumes: shapes, create inputs, exact status codes and errors, paging, resize, rename,
// provisioning and pool capacity.
import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index';
import { call, createVolume, GiB, manualClock, poolPath } from './client';

let sim: RunningSimulator;
const clock = manualClock();
beforeEach(async () => {
  sim = await startSimulator({ listen: ['127.0.0.1'], seed: 11, now: clock.now, pools: [{ name: 'Pool-0', sizeBytes: 10 * GiB }] });
});
afterEach(async () => sim.close());

const free = async () => Number((await call(sim, 'GET', poolPath())).json.data.available);

describe('create and get', () => {
  test('POST answers 201 with the created volume; GET shows ZFS properties as strings', async () => {
    const r = await call(sim, 'POST', poolPath('/volumes'), {
      body: { name: 'v_vm-100-disk-0', size: '1G', sparse: false, blocksize: '16K' },
    });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({
      data: { name: 'v_vm-100-disk-0', full_name: 'Pool-0/v_vm-100-disk-0', is_clone: false, origin: null },
      error: null,
    });
    const v = (await call(sim, 'GET', poolPath('/volumes/v_vm-100-disk-0'))).json.data;
    expect(v).toMatchObject({
      name: 'v_vm-100-disk-0',
      full_name: 'Pool-0/v_vm-100-disk-0',
      type: 'volume',
      volsize: String(GiB),
      volblocksize: '16384',
      is_clone: false,
      origin: null,
      creation: String(Math.floor(clock.t / 1000)),
      refreservation: String(GiB),
    });
    expect(v.default_scsi_id).toMatch(/^[0-9a-f]{16}$/);
    expect(v['san:volume_id']).toMatch(/^[0-9a-f]{40}$/);
    expect(v['san:volume_id'].startsWith(v.default_scsi_id)).toBe(true);
    expect(v.guid).toMatch(/^\d+$/);
    expect(Number(v.createtxg)).toBeGreaterThan(0);
  });

  test('sizes and block sizes accept bytes (number or string) and unit strings', async () => {
    await createVolume(sim, 'v_a', 536870912, { blocksize: 65536 });
    await createVolume(sim, 'v_b', '512M', { blocksize: '4096' });
    await createVolume(sim, 'v_c', '1.5G', { blocksize: '1M' });
    const get = async (n: string) => (await call(sim, 'GET', poolPath(`/volumes/${n}`))).json.data;
    expect(await get('v_a')).toMatchObject({ volsize: '536870912', volblocksize: '65536' });
    expect(await get('v_b')).toMatchObject({ volsize: '536870912', volblocksize: '4096' });
    expect(await get('v_c')).toMatchObject({ volsize: String(1.5 * GiB), volblocksize: String(2 ** 20) });
  });

  test('invalid block sizes and sizes are validation errors; sizes must be block multiples', async () => {
    for (const blocksize of ['3K', '2M', 512, 'big']) {
      const r = await call(sim, 'POST', poolPath('/volumes'), { body: { name: 'v_x', size: '1G', blocksize } });
      expect(r.status).toBe(400);
      expect(r.json.error.class).toBe('opene.exceptions.ValidationError');
    }
    expect((await call(sim, 'POST', poolPath('/volumes'), { body: { name: 'v_x', size: '-1' } })).status).toBe(400);
    expect((await call(sim, 'POST', poolPath('/volumes'), { body: { name: 'v_x' } })).json.error.message).toBe(
      "'size' is a required property",
    );
    const odd = await call(sim, 'POST', poolPath('/volumes'), { body: { name: 'v_x', size: 1000, blocksize: '16K' } });
    expect(odd.status).toBe(500);
    expect(odd.json.error.message).toBe("cannot create 'Pool-0/v_x': volume size must be a multiple of volume block size");
  });

  test('creating an existing name: 500 errno 5 "Resource <pool>/<name> already exists."', async () => {
    await createVolume(sim, 'v_a');
    const r = await call(sim, 'POST', poolPath('/volumes'), { body: { name: 'v_a', size: '1G' } });
    expect(r.status).toBe(500);
    expect(r.json.error).toMatchObject({ errno: 5, message: 'Resource Pool-0/v_a already exists.' });
  });

  test('a missing volume is 500 errno 1 with the Zfs resource message, for GET, PUT and DELETE', async () => {
    for (const [method, body] of [['GET'], ['PUT', { size: '2G' }], ['DELETE']] as const) {
      const r = await call(sim, method, poolPath('/volumes/v_ghost'), { body });
      expect(r.status).toBe(500);
      expect(r.json.error).toMatchObject({
        class: 'zfslib.zfsapi.resources.ZfsResourceError',
        errno: 1,
        message: 'Zfs resource: Pool-0/v_ghost not found in this collection.',
      });
    }
  });
});

describe('listing and paging', () => {
  beforeEach(async () => {
    for (let i = 0; i < 7; i++) await createVolume(sim, `v_p${i}`, '16K');
  });

  test('page/per_page slices in creation order; past the end is an empty page', async () => {
    const page = async (q: string) => (await call(sim, 'GET', poolPath(`/volumes?${q}`))).json.data;
    const p0 = await page('page=0&per_page=3');
    expect(p0.results).toBe(7);
    expect(p0.entries.map((e: { name: string }) => e.name)).toEqual(['v_p0', 'v_p1', 'v_p2']);
    expect((await page('page=2&per_page=3')).entries.map((e: { name: string }) => e.name)).toEqual(['v_p6']);
    expect(await page('page=3&per_page=3')).toEqual({ results: 7, entries: [] });
    expect((await page('page=0')).entries).toHaveLength(7); // server default page size (50)
    expect((await page('page=1')).entries).toEqual([]);
    const entry = (await page('page=0&per_page=1')).entries[0];
    expect(entry).toMatchObject({ name: 'v_p0', volsize: '16384', creation: expect.any(String) });
  });

  test('no page parameter returns the whole collection; bad page values are 400', async () => {
    expect((await call(sim, 'GET', poolPath('/volumes'))).json.data.entries).toHaveLength(7);
    expect((await call(sim, 'GET', poolPath('/volumes?page=-1'))).status).toBe(400);
    expect((await call(sim, 'GET', poolPath('/volumes?page=0&per_page=0'))).status).toBe(400);
  });

  test('renaming does not move a volume in the listing', async () => {
    await call(sim, 'PUT', poolPath('/volumes/v_p1'), { body: { name: 'v_renamed' } });
    const names = (await call(sim, 'GET', poolPath('/volumes?page=0&per_page=3'))).json.data.entries.map((e: { name: string }) => e.name);
    expect(names).toEqual(['v_p0', 'v_renamed', 'v_p2']);
  });
});

describe('resize, rename, provisioning, properties', () => {
  test('PUT size answers 201 and grows the volume; shrinking is accepted like ZFS', async () => {
    await createVolume(sim, 'v_a', '1G');
    const r = await call(sim, 'PUT', poolPath('/volumes/v_a'), { body: { size: String(2 * GiB) } });
    expect(r.status).toBe(201);
    expect(r.json.error).toBeNull();
    expect(r.json.data.volsize).toBe(String(2 * GiB));
    expect((await call(sim, 'PUT', poolPath('/volumes/v_a'), { body: { size: '512M' } })).json.data.volsize).toBe(String(GiB / 2));
  });

  test('rename keeps guid and scsi ids; onto an existing name it fails like zfs rename', async () => {
    await createVolume(sim, 'v_a');
    await createVolume(sim, 'v_b');
    const before = (await call(sim, 'GET', poolPath('/volumes/v_a'))).json.data;
    const r = await call(sim, 'PUT', poolPath('/volumes/v_a'), { body: { name: 'v_c' } });
    expect(r.status).toBe(201);
    const after = (await call(sim, 'GET', poolPath('/volumes/v_c'))).json.data;
    for (const k of ['guid', 'default_scsi_id', 'san:volume_id', 'creation']) expect(after[k]).toBe(before[k]);
    expect((await call(sim, 'GET', poolPath('/volumes/v_a'))).json.error.errno).toBe(1);
    const clash = await call(sim, 'PUT', poolPath('/volumes/v_c'), { body: { name: 'v_b' } });
    expect(clash.status).toBe(500);
    expect(clash.json.error).toMatchObject({ errno: 100, message: "cannot rename to 'Pool-0/v_b': dataset already exists" });
  });

  test('the renameOverwrites fault reproduces the appliance silently replacing the destination', async () => {
    await createVolume(sim, 'v_src');
    await createVolume(sim, 'v_dst');
    const src = (await call(sim, 'GET', poolPath('/volumes/v_src'))).json.data;
    await sim.faults.add({ kind: 'renameOverwrites' });
    const r = await call(sim, 'PUT', poolPath('/volumes/v_src'), { body: { name: 'v_dst' } });
    expect(r.status).toBe(201);
    const dst = (await call(sim, 'GET', poolPath('/volumes/v_dst'))).json.data;
    expect(dst.default_scsi_id).toBe(src.default_scsi_id);
    expect((await call(sim, 'GET', poolPath('/volumes'))).json.data.results).toBe(1);
    expect(sim.faults.list()).toEqual([]); // consumed
  });

  test('provisioning switches thin/thick and moves capacity', async () => {
    const total = await free();
    await createVolume(sim, 'v_a', '2G');
    expect(await free()).toBe(total);
    await call(sim, 'PUT', poolPath('/volumes/v_a'), { body: { provisioning: 'thick' } });
    expect(await free()).toBe(total - 2 * GiB);
    expect((await call(sim, 'GET', poolPath('/volumes/v_a'))).json.data.refreservation).toBe(String(2 * GiB));
    await call(sim, 'PUT', poolPath('/volumes/v_a'), { body: { provisioning: 'thin' } });
    expect(await free()).toBe(total);
    expect((await call(sim, 'PUT', poolPath('/volumes/v_a'), { body: { provisioning: 'fat' } })).status).toBe(400);
  });

  test('PUT properties sets a ZFS property', async () => {
    await createVolume(sim, 'v_a');
    const r = await call(sim, 'PUT', poolPath('/volumes/v_a/properties'), { body: { property_name: 'readonly', property_value: 'on' } });
    expect(r.status).toBe(201);
    expect((await call(sim, 'GET', poolPath('/volumes/v_a'))).json.data.readonly).toBe('on');
    expect(
      (await call(sim, 'PUT', poolPath('/volumes/v_a/properties'), { body: { property_name: 'volsize', property_value: '1' } })).status,
    ).toBe(400);
  });
});

describe('capacity', () => {
  test('thick volumes reserve their size, thin ones nothing; resize and delete move it back', async () => {
    const total = await free();
    expect(total).toBe(10 * GiB);
    await createVolume(sim, 'v_thick', '2G', { sparse: false });
    await createVolume(sim, 'v_thin', '3G', { sparse: true });
    expect(await free()).toBe(8 * GiB);
    await call(sim, 'PUT', poolPath('/volumes/v_thick'), { body: { size: '3G' } });
    expect(await free()).toBe(7 * GiB);
    await call(sim, 'PUT', poolPath('/volumes/v_thin'), { body: { size: '4G' } });
    expect(await free()).toBe(7 * GiB);
    const del = await call(sim, 'DELETE', poolPath('/volumes/v_thick'));
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect(await free()).toBe(total);
  });

  test('beyond the free space: "New zvol size(<n>) exceeds available space on pool <pool>(<m>)."', async () => {
    await createVolume(sim, 'v_thick', '8G', { sparse: false });
    for (const sparse of [false, true]) {
      const r = await call(sim, 'POST', poolPath('/volumes'), { body: { name: 'v_big', size: '3G', sparse } });
      expect(r.status).toBe(500);
      expect(r.json.error.message).toBe(`New zvol size(${3 * GiB}) exceeds available space on pool Pool-0(${2 * GiB}).`);
    }
    const grow = await call(sim, 'PUT', poolPath('/volumes/v_thick'), { body: { size: '11G' } });
    expect(grow.json.error.message).toBe(`New zvol size(${11 * GiB}) exceeds available space on pool Pool-0(${2 * GiB}).`);
    expect((await call(sim, 'GET', poolPath('/volumes/v_thick'))).json.data.volsize).toBe(String(8 * GiB));
  });
});
