import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { packerOutputText, parsePackerErrors, type PackerDiagnostic } from '../../src/packer/errors.js';

interface Recording {
  case: string;
  packerVersion: string;
  provenance: string;
  args: string[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
}
const recorded = (name: string): Recording => JSON.parse(readFileSync(`fixtures/packer/recorded/${name}.json`, 'utf8')) as Recording;
/** The fields the build command relies on, without the detail text. */
const where = (d: PackerDiagnostic) => ({ file: d.file, line: d.line, summary: d.summary });

describe('recorded Packer outputs', () => {
  it('put every error on stdout, none on stderr (Packer 1.6.6)', () => {
    for (const name of ['unknown-flag', 'missing-template', 'syntax-error', 'boot-iso-block', 'iso-download-pve', 'unset-variable', 'build-fails']) {
      const r = recorded(name);
      assert.equal(r.packerVersion, '1.6.6');
      assert.equal(r.exitCode, 1, name);
      assert.equal(r.stderr, '', name);
      assert.notEqual(r.stdout, '', name);
    }
  });
  it('exit 0 with nothing to parse for a valid template', () => {
    for (const name of ['validate-ok', 'validate-ok-machine-readable', 'validate-legacy-proxmox-ok', 'build-ok']) {
      const r = recorded(name);
      assert.equal(r.exitCode, 0, name);
      assert.deepEqual(parsePackerErrors(r.stdout), [], name);
    }
  });
});

describe('parsePackerErrors', () => {
  it('reads an unknown block with its file and line (boot_iso in 1.6.6)', () => {
    assert.deepEqual(parsePackerErrors(recorded('boot-iso-block').stdout), [
      { severity: 'error', summary: 'Unsupported block type', detail: 'Blocks of type "boot_iso" are not expected here.', file: 'boot-iso-block.pkr.hcl', line: 8 },
    ]);
  });
  it('reads an unknown argument (iso_download_pve in 1.6.6)', () => {
    assert.deepEqual(parsePackerErrors(recorded('iso-download-pve').stdout), [
      { severity: 'error', summary: 'Unsupported argument', detail: 'An argument named "iso_download_pve" is not expected here.', file: 'iso-download-pve.pkr.hcl', line: 10 },
    ]);
  });
  it('reads every diagnostic of a syntax error, skipping the source snippets, with the block context', () => {
    const found = parsePackerErrors(recorded('syntax-error').stdout);
    assert.deepEqual(found.map((d) => d.line), [4, 5, 7, 8, 9, 4]);
    assert.ok(found.every((d) => d.file === 'syntax-error.pkr.hcl' && d.context === 'in source "null" "broken"'));
    assert.equal(found[0]!.summary, 'Invalid multi-line string');
    assert.equal(
      found[0]!.detail,
      'Quoted strings may not be split over multiple lines. To produce a multi-line\nstring, either use the \\n escape to represent a newline character or use the\n"heredoc" multi-line template syntax.',
    );
    assert.deepEqual(where(found[5]!), { file: 'syntax-error.pkr.hcl', line: 4, summary: 'Unterminated template string' });
    assert.ok(found.every((d) => !d.detail.includes('   4:')), 'snippet lines are not part of the detail');
  });
  it('reads the same diagnostics from -machine-readable output', () => {
    const human = parsePackerErrors(recorded('syntax-error').stdout);
    const machine = parsePackerErrors(recorded('syntax-error-machine-readable').stdout);
    assert.deepEqual(machine.map(where), human.map(where));
    // Packer does not escape backslashes, so a literal `\n` in a message comes back as a newline.
    assert.equal(machine[0]!.detail, human[0]!.detail.replace('\\n', '\n'));
  });
  it('reads a diagnostic without a source position (unset variable)', () => {
    const [d, ...rest] = parsePackerErrors(recorded('unset-variable').stdout);
    assert.deepEqual(rest, []);
    assert.equal(d!.summary, 'Unset variable "proxmox_url"');
    assert.equal(d!.file, undefined);
    assert.match(d!.detail, /^A used variable must be set or have a default value/);
  });
  it('reads both errors for a missing template', () => {
    assert.deepEqual(
      parsePackerErrors(recorded('missing-template').stdout).map((d) => d.summary),
      ['Cannot tell wether missing.pkr.hcl is a directory', 'Could not find any config file in missing.pkr.hcl'],
    );
  });
  it('reads Go flag errors printed after the usage text', () => {
    assert.deepEqual(parsePackerErrors(recorded('unknown-flag').stdout).map((d) => d.summary), ['flag provided but not defined: -bogus']);
    assert.match(parsePackerErrors(recorded('bad-on-error').stdout)[0]!.summary, /^invalid value "nope" for flag -on-error: expected one of/);
  });
  it('reports a usage-only output (flag after the template, no template) as wrong arguments', () => {
    assert.deepEqual(parsePackerErrors(recorded('flag-after-template').stdout).map((d) => d.summary), ['wrong arguments: Usage: packer build [options] TEMPLATE']);
    assert.deepEqual(parsePackerErrors(recorded('no-template').stdout).map((d) => d.summary), ['wrong arguments: Usage: packer validate [options] TEMPLATE']);
  });
  it('stops a detail at the next Packer UI line', () => {
    assert.deepEqual(parsePackerErrors(recorded('invalid-only-pattern').stdout), [
      { severity: 'error', summary: 'Invalid -only pattern web.[: unexpected end of input', detail: '' },
    ]);
  });
  it('reads failed builds from coloured and machine-readable output alike', () => {
    const expected = [{ severity: 'error', build: 'null.failing', summary: 'Script exited with non-zero exit status: 3.Allowed exit codes are: [0]', detail: '' }];
    assert.deepEqual(parsePackerErrors(recorded('build-fails').stdout), expected);
    assert.deepEqual(parsePackerErrors(recorded('build-fails-machine-readable').stdout), expected);
  });
  it('reads outputs of newer Packer versions quoted in public issues (provenance in the fixture)', () => {
    const r = recorded('packer-1.10.2-unsupported-argument');
    assert.match(r.provenance, /issue #261/);
    assert.deepEqual(parsePackerErrors(r.stdout), [
      { severity: 'error', summary: 'Unsupported argument', detail: 'An argument named "cd_content" is not expected here.', file: 'base-almalinux-9-proxmox.pkr.hcl', line: 27 },
    ]);
    assert.equal(parsePackerErrors(recorded('packer-1.8.3-block-hint').stdout)[0]!.detail, 'An argument named "vga" is not expected here. Did you mean to define a block of\ntype "vga"?');
  });
  it('reads warnings, columns and -timestamp-ui prefixes', () => {
    const out = [
      '2024-05-01T10:00:00Z: Warning: Undefined variable',
      '2024-05-01T10:00:00Z: ',
      '2024-05-01T10:00:00Z:   on vars.pkrvars.hcl line 3, column 1, in variable "x":',
      '2024-05-01T10:00:00Z:    3: x = 1',
      '2024-05-01T10:00:00Z: ',
      '2024-05-01T10:00:00Z: A "x" variable was set but was not declared.',
    ].join('\n');
    assert.deepEqual(parsePackerErrors(out), [
      { severity: 'warning', summary: 'Undefined variable', detail: 'A "x" variable was set but was not declared.', file: 'vars.pkrvars.hcl', line: 3, column: 1, context: 'in variable "x"' },
    ]);
  });
});

describe('packerOutputText', () => {
  it('strips colours', () => {
    assert.equal(packerOutputText('\u001b[1;31mBuild failed\u001b[0m\n'), 'Build failed\n');
  });
  it('decodes machine-readable ui lines and drops the others', () => {
    assert.equal(packerOutputText('1,,ui,say,a%!(PACKER_COMMA) b\n1,web.null.a,artifact-count,1\n1,,ui,error,x\\ny\n'), 'a, b\nx\ny');
  });
});
