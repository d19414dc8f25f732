// Reads the errors out of what Packer printed. Packer writes its errors to stdout (BasicUi's
// ErrorWriter is os.Stdout), as HCL diagnostics:
//
//   Error: Unsupported argument
//
//     on iso.pkr.hcl line 10, in source "proxmox-iso" "ubuntu":
//     (source code not available)          <- or numbered source lines
//
//   An argument named "iso_download_pve" is not expected here.
//
// plus Go flag errors after a usage text and `Build 'name' errored after ...: reason` lines.
// Colours, `-timestamp-ui` prefixes and the -machine-readable encoding are undone first.
// Packer prints no column, so `column` is set only when the output names one.

import { isMachineReadableOutput, parseMachineReadable } from './machine-readable.js';

export interface PackerDiagnostic {
  severity: 'error' | 'warning';
  /** The file as Packer named it (relative to Packer's working directory when it was given so). */
  file?: string;
  line?: number;
  column?: number;
  /** e.g. `in source "proxmox-iso" "ubuntu"`. */
  context?: string;
  /** The build this error belongs to (`Build 'x' errored` lines). */
  build?: string;
  summary: string;
  detail: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const TIMESTAMP_UI = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d): /;
const HEADING = /^(Error|Warning): (.*)$/;
const SUBJECT = /^ {1,2}on (.+?) line (\d+)(?:, column (\d+))?(?:, (in .+))?:$/;
const BUILD_ERRORED = /^Build '(.+?)' errored(?: after [^:]*)?: (.*)$/;
const FLAG_ERROR = /^(flag provided but not defined: .+|invalid (?:value|boolean value) .+ for flag .+|flag needs an argument: .+)$/;
/** Lines that end a diagnostic's detail: Packer's own UI lines and usage text. */
const UI_LINE = /^(==> |--> |Build '|Usage: packer )/;

/** The human-readable text of Packer's output, whatever mode it was printed in. */
export function packerOutputText(stdout: string): string {
  if (isMachineReadableOutput(stdout)) {
    return stdout
      .split('\n')
      .map(parseMachineReadable)
      .filter((l) => l !== undefined && l.type === 'ui')
      .map((l) => l!.data.slice(1).join(','))
      .join('\n');
  }
  return stdout
    .replace(ANSI, '')
    .split('\n')
    .map((l) => l.replace(TIMESTAMP_UI, ''))
    .join('\n');
}

/** Extracts Packer's diagnostics, flag errors and failed builds from its stdout, in order. */
export function parsePackerErrors(stdout: string): PackerDiagnostic[] {
  const lines = packerOutputText(stdout).split('\n').map((l) => l.replace(/\r$/, ''));
  const found: PackerDiagnostic[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const heading = HEADING.exec(line);
    if (heading) {
      const diagnostic: PackerDiagnostic = { severity: heading[1] === 'Warning' ? 'warning' : 'error', summary: heading[2]!.trim(), detail: '' };
      i++;
      while (i < lines.length && lines[i]!.trim() === '') i++;
      const subject = SUBJECT.exec(lines[i] ?? '');
      if (subject) {
        diagnostic.file = subject[1]!;
        diagnostic.line = Number(subject[2]);
        if (subject[3]) diagnostic.column = Number(subject[3]);
        if (subject[4]) diagnostic.context = subject[4];
        // Skip the source snippet: indented lines up to the blank line.
        for (i++; i < lines.length && lines[i]!.startsWith(' ') && lines[i]!.trim() !== ''; i++);
      }
      const detail: string[] = [];
      for (; i < lines.length; i++) {
        const l = lines[i]!;
        if (HEADING.test(l) || UI_LINE.test(l) || FLAG_ERROR.test(l)) break;
        detail.push(l);
      }
      diagnostic.detail = detail.join('\n').trim();
      found.push(diagnostic);
      continue;
    }
    const errored = BUILD_ERRORED.exec(line);
    if (errored) found.push({ severity: 'error', build: errored[1]!, summary: errored[2]!.trim(), detail: '' });
    const flag = FLAG_ERROR.exec(line);
    if (flag) found.push({ severity: 'error', summary: flag[1]!, detail: 'Packer rejected a command-line flag and printed its usage.' });
    i++;
  }
  if (found.length === 0) {
    // Go's flag parsing printed only the usage: wrong number of arguments (e.g. a flag after the template).
    const usage = lines.find((l) => l.startsWith('Usage: packer '));
    if (usage) found.push({ severity: 'error', summary: `wrong arguments: ${usage}`, detail: 'Packer takes its flags before exactly one template path.' });
  }
  return found;
}
