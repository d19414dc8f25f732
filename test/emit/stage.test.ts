import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { emitTemplate, MARKER } from '../../src/emit/stage.js';
import { loadTemplate } from '../../src/template/load.js';
import { UsageError } from '../../src/errors.js';

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hclx-emit-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A template directory with CRLF and BOM bytes, an auto var file, other entries and another config suffix. */
function templateDir(root: string, climb = false): string {
  const dir = join(root, 'tpl');
  const up = climb ? '../' : '';
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  writeFileSync(join(dir, 'main.pkr.hcl'), `\ufeffvariable "a" {\r\n  default = "\${path.root}/${up}shared/x"\r\n}\r\nlocals {\r\n  b = file("${up}outside.txt")\r\n  c = path.root\r\n}\r\n`);
  writeFileSync(join(dir, 'x.auto.pkrvars.hcl'), 'a = "1"\n');
  writeFileSync(join(dir, 'scripts/setup.sh'), '#!/bin/sh\n');
  writeFileSync(join(dir, 'ci.pkrvars.hcl'), 'a = "2"\n');
  return dir;
}

test('unedited files are copied byte for byte; other entries become symlinks; a marker records what hclx wrote', async () => {
  const root = scratch();
  const dir = templateDir(root, true);
  // The template climbs once (`${path.root}/../shared/x`): the copy is one level down, under the names of the originals.
  const template = await loadTemplate(dir, { cwd: root });
  const result = emitTemplate({ template, edits: new Map(), outDir: 'out' });
  const out = join(root, 'out', basename(root), 'tpl');
  assert.equal(result.outDir, out);
  assert.equal(result.buildPath, join('out', basename(root), 'tpl'));
  assert.ok(readFileSync(join(out, 'main.pkr.hcl')).equals(readFileSync(join(dir, 'main.pkr.hcl'))));
  assert.ok(readFileSync(join(out, 'x.auto.pkrvars.hcl')).equals(readFileSync(join(dir, 'x.auto.pkrvars.hcl'))));
  assert.ok(lstatSync(join(out, 'scripts')).isSymbolicLink());
  assert.ok(lstatSync(join(out, 'ci.pkrvars.hcl')).isSymbolicLink());
  assert.deepEqual(
    result.entries.map((e) => `${e.name}:${e.kind}`),
    ['main.pkr.hcl:copied', 'x.auto.pkrvars.hcl:copied', 'ci.pkrvars.hcl:symlink', 'scripts:symlink'],
  );
  assert.deepEqual(JSON.parse(readFileSync(join(root, 'out', MARKER), 'utf8')).entries, [basename(root)]);
  // What a mirror cannot keep is said, with the place.
  assert.equal(result.warnings.length, 1);
  assert.match(result.warnings[0]!, /tpl\/main\.pkr\.hcl:6: path\.root is used as a value/);
});

test('paths that climb out of path.root find the same files from the copy: parent directories are mirrored as deep as the template climbs', async () => {
  const root = scratch();
  const proj = join(root, 'src', 'proj');
  mkdirSync(join(proj, 'packer', 'debian'), { recursive: true });
  mkdirSync(join(proj, 'scripts'));
  mkdirSync(join(root, 'src', 'common'));
  writeFileSync(join(proj, 'scripts', 'setup.sh'), 'echo setup\n');
  writeFileSync(join(root, 'src', 'common', 'motd'), 'hello\n');
  writeFileSync(join(proj, 'packer', 'debian', 'd.pkr.hcl'), 'locals {\n  motd   = file("../../../common/motd")\n  script = "${path.root}/../../scripts/setup.sh"\n}\n');
  writeFileSync(join(proj, 'packer', 'other.txt'), 'sibling\n');
  const template = await loadTemplate(join(proj, 'packer', 'debian'), { cwd: root });
  const result = emitTemplate({ template, edits: new Map(), outDir: 'out' });
  assert.equal(result.outDir, join(root, 'out', 'src', 'proj', 'packer', 'debian'));
  assert.deepEqual(result.warnings, []);
  const from = (p: string) => readFileSync(join(result.outDir, p), 'utf8');
  assert.equal(from('../../scripts/setup.sh'), 'echo setup\n');
  assert.equal(from('../../../common/motd'), 'hello\n');
  assert.equal(from('../other.txt'), 'sibling\n');
  assert.ok(lstatSync(join(root, 'out', 'src', 'proj', 'packer')).isDirectory(), 'a level on the way is a directory of its own');
  assert.ok(lstatSync(join(root, 'out', 'src', 'common')).isSymbolicLink());
  assert.ok(!existsSync(join(root, 'out', 'src', 'out')), 'the output directory is not mirrored into itself');
  assert.deepEqual(readdirSync(join(root, 'out')).sort(), [MARKER, 'src']);
  // A second render replaces the mirror (its symlinks, never their targets).
  emitTemplate({ template, edits: new Map(), outDir: 'out' });
  assert.equal(readFileSync(join(root, 'src', 'common', 'motd'), 'utf8'), 'hello\n');
  assert.equal(from('../../scripts/setup.sh'), 'echo setup\n');
});

test('edits are applied; a second render into its own directory replaces only what it wrote', async () => {
  const root = scratch();
  const dir = templateDir(root);
  const template = await loadTemplate(dir, { cwd: root });
  const main = template.files[0]!;
  const at = main.source.text.indexOf('"1"');
  emitTemplate({ template, edits: new Map(), outDir: 'out' });
  const edits = new Map([[main.source.path, [{ file: main.source.path, start: main.source.text.indexOf('default'), end: main.source.text.indexOf('default') + 7, text: 'default ' }]]]);
  assert.equal(at, -1);
  const result = emitTemplate({ template, edits, outDir: 'out' });
  assert.equal(result.entries[0]!.kind, 'edited');
  assert.match(readFileSync(join(root, 'out/main.pkr.hcl'), 'utf8'), /\r\n {2}default {2}= "\$\{path\.root\}/);
  assert.deepEqual(readdirSync(join(root, 'out')).sort(), [MARKER, 'ci.pkrvars.hcl', 'main.pkr.hcl', 'scripts', 'x.auto.pkrvars.hcl'].sort());
});

test('never over user files: a foreign non-empty directory, the template directory, or a directory with extra files', async () => {
  const root = scratch();
  const dir = templateDir(root);
  const template = await loadTemplate(dir, { cwd: root });
  mkdirSync(join(root, 'busy'));
  writeFileSync(join(root, 'busy/notes.md'), 'mine');
  assert.throws(() => emitTemplate({ template, edits: new Map(), outDir: 'busy' }), (e: unknown) => e instanceof UsageError && /not empty and was not written by hclx/.test(e.message));
  assert.equal(readFileSync(join(root, 'busy/notes.md'), 'utf8'), 'mine');
  assert.throws(() => emitTemplate({ template, edits: new Map(), outDir: 'tpl' }), (e: unknown) => e instanceof UsageError && /is the template directory or contains it/.test(e.message));
  assert.throws(() => emitTemplate({ template, edits: new Map(), outDir: '.' }), (e: unknown) => e instanceof UsageError);
  emitTemplate({ template, edits: new Map(), outDir: 'out' });
  writeFileSync(join(root, 'out/extra.pkr.hcl'), '');
  assert.throws(() => emitTemplate({ template, edits: new Map(), outDir: 'out' }), (e: unknown) => e instanceof UsageError && /holds files hclx did not write \(extra\.pkr\.hcl\)/.test(e.message));
});

test('an output directory inside the template directory is allowed and not mirrored into itself', async () => {
  const root = scratch();
  const dir = templateDir(root);
  const template = await loadTemplate(dir, { cwd: dir });
  const result = emitTemplate({ template, edits: new Map(), outDir: '.hclx/render/tpl' });
  assert.equal(result.buildPath, join('.hclx', 'render', 'tpl'));
  assert.equal(existsSync(join(dir, '.hclx/render/tpl/.hclx')), false);
});

test('single-file mode writes that file and gives it as the build path; other configs are not mirrored', async () => {
  const root = scratch();
  const dir = templateDir(root);
  writeFileSync(join(dir, 'other.pkr.hcl'), 'locals {}\n');
  const template = await loadTemplate(join('tpl', 'main.pkr.hcl'), { cwd: root });
  const result = emitTemplate({ template, edits: new Map(), outDir: 'single' });
  assert.equal(result.buildPath, join('single', 'main.pkr.hcl'));
  assert.equal(existsSync(join(root, 'single/other.pkr.hcl')), false);
  assert.equal(existsSync(join(root, 'single/x.auto.pkrvars.hcl')), false);
});
