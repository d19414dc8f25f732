import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTemplate, placeholderTarget } from '../../src/template/load.js';
import { HclxError, TemplateError } from '../../src/errors.js';
import { tempDir } from '../support/temp.js';

const FIXTURES = new URL('../../fixtures/template/', import.meta.url).pathname;

test('a directory loads its .pkr.hcl files in lexical order, then .pkr.json, not subdirectories; auto var files too', async () => {
  const t = await loadTemplate(join(FIXTURES, 'load-order'), { cwd: FIXTURES });
  assert.deepEqual(t.files.map((f) => f.entryName), ['b.pkr.hcl', 'c.pkr.hcl', 'a.pkr.json']);
  assert.deepEqual(t.autoVarFiles.map((f) => f.entryName), ['z.auto.pkrvars.hcl']);
  assert.equal(t.mode, 'directory');
  assert.equal(t.path.root, join(FIXTURES, 'load-order'));
});

test('path.root is the argument exactly as given; a single file loads no auto var files', async () => {
  const dir = await loadTemplate('load-order', { cwd: FIXTURES });
  assert.equal(dir.path.root, 'load-order');
  assert.equal(dir.path.cwd, FIXTURES);
  const file = await loadTemplate('load-order/b.pkr.hcl', { cwd: FIXTURES });
  assert.equal(file.path.root, 'load-order');
  assert.deepEqual(file.files.map((f) => f.entryName), ['b.pkr.hcl']);
  assert.deepEqual(file.autoVarFiles, []);
  assert.equal(file.files[0]!.source.displayPath, join('load-order', 'b.pkr.hcl'));
});

test('a duplicate source is an error naming both places', async () => {
  await assert.rejects(loadTemplate('duplicate-source', { cwd: FIXTURES }), (e: unknown) => {
    assert.ok(e instanceof TemplateError);
    assert.equal(e.exitCode, 2);
    assert.match(e.describe(), /^duplicate-source\/two\.pkr\.hcl:2:1: duplicate source block "proxmox-iso" "debian": it is also defined at duplicate-source\/one\.pkr\.hcl:1:1\./);
    return true;
  });
});

test('a git symlink placeholder is followed, with a warning', async () => {
  const warnings: string[] = [];
  const t = await loadTemplate('placeholder/debian', { cwd: FIXTURES, warn: (w) => warnings.push(w) });
  const vars = t.files.find((f) => f.entryName === 'vars.pkr.hcl')!;
  assert.equal(vars.placeholderTarget, '../common/vars.pkr.hcl');
  assert.equal(vars.source.path, join(FIXTURES, 'placeholder/common/vars.pkr.hcl'));
  assert.match(vars.source.text, /variable "iso_storage_pool"/);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /placeholder\/debian\/vars\.pkr\.hcl is a git symlink checked out as a plain file/);
});

test('placeholderTarget only accepts a single relative path to an existing file', () => {
  const entry = join(FIXTURES, 'placeholder/debian/vars.pkr.hcl');
  assert.equal(placeholderTarget('../common/vars.pkr.hcl\n', entry), '../common/vars.pkr.hcl');
  assert.equal(placeholderTarget('../common/missing.pkr.hcl', entry), undefined);
  assert.equal(placeholderTarget('a = 1', entry), undefined);
  assert.equal(placeholderTarget('/etc/passwd', entry), undefined);
});

test('files that are not .pkr.hcl/.pkr.json, missing paths and empty directories are refused with the fix', async () => {
  await assert.rejects(loadTemplate('not-hcl2/template.hcl', { cwd: FIXTURES }), (e: unknown) => e instanceof HclxError && e.exitCode === 2 && /legacy JSON template.*hcl2_upgrade/.test(e.describe()));
  await assert.rejects(loadTemplate('nope', { cwd: FIXTURES }), (e: unknown) => e instanceof HclxError && /does not exist/.test(e.describe()));
  await assert.rejects(loadTemplate('errors/legacy-json', { cwd: FIXTURES }), (e: unknown) => e instanceof HclxError && /could not find any config file/.test(e.describe()));
});

/** A directory with main.pkr.hcl and the given symbolic links (name → target). */
function withLinks(links: Record<string, string>): string {
  const dir = tempDir('load-links');
  writeFileSync(join(dir, 'main.pkr.hcl'), 'source "null" "a" {\n  communicator = "none"\n}\n');
  for (const [name, target] of Object.entries(links)) symlinkSync(target, join(dir, name));
  return dir;
}

test('a broken symbolic link with a config suffix stops the load, naming the link and its target (Packer fails on it too)', async () => {
  for (const name of ['broken.pkr.hcl', 'broken.pkr.json', 'x.auto.pkrvars.hcl']) {
    const dir = withLinks({ [name]: 'nowhere.pkr.hcl' });
    await assert.rejects(loadTemplate('.', { cwd: dir }), (e: unknown) => {
      assert.ok(e instanceof TemplateError && e.exitCode === 2, String(e));
      assert.match(e.describe(), new RegExp(`^${name.replace(/\./g, '\\.')} is a symbolic link to 'nowhere\\.pkr\\.hcl', which does not exist, and Packer reads every \\*\\.[a-z.]+ file`));
      return true;
    });
    await assert.rejects(loadTemplate(name, { cwd: dir }), (e: unknown) => e instanceof HclxError && e.exitCode === 2 && /is a symbolic link to 'nowhere\.pkr\.hcl', which does not exist/.test(e.describe()));
  }
  // Other names are not Packer's business: a broken link beside the template is ignored, as Packer does.
  const dir = withLinks({ 'notes.txt': 'gone.txt' });
  assert.deepEqual((await loadTemplate('.', { cwd: dir })).files.map((f) => f.entryName), ['main.pkr.hcl']);
});

test('a symlink loop is reported as a loop, not as a missing file', async () => {
  const dir = withLinks({ 'a.pkr.hcl': 'b.pkr.hcl', 'b.pkr.hcl': 'a.pkr.hcl', 'self.pkr.hcl': 'self.pkr.hcl' });
  await assert.rejects(loadTemplate('.', { cwd: dir }), (e: unknown) => e instanceof TemplateError && e.exitCode === 2 && /^a\.pkr\.hcl is a symlink loop \(a symbolic link to 'b\.pkr\.hcl'/.test(e.describe()));
  for (const name of ['a.pkr.hcl', 'self.pkr.hcl']) {
    await assert.rejects(loadTemplate(name, { cwd: dir }), (e: unknown) => e instanceof HclxError && e.exitCode === 2 && /is a symlink loop/.test(e.describe()) && !/does not exist/.test(e.describe()));
  }
});

test('a real symbolic link to a file is read like the file', async () => {
  const dir = withLinks({});
  mkdirSync(join(dir, 'common'));
  writeFileSync(join(dir, 'common', 'vars.pkr.hcl'), 'variable "x" {\n  default = "y"\n}\n');
  symlinkSync('common/vars.pkr.hcl', join(dir, 'vars.pkr.hcl'));
  const t = await loadTemplate('.', { cwd: dir });
  assert.deepEqual(t.files.map((f) => [f.entryName, f.source.displayPath]), [['main.pkr.hcl', 'main.pkr.hcl'], ['vars.pkr.hcl', 'vars.pkr.hcl']]);
});
