// Packer's -machine-readable line format (`packer` main.go / MachineReadableUi):
//   <unix timestamp>,<target>,<type>,<data>[,<data>...]
// In each data field a comma becomes `%!(PACKER_COMMA)`, CR becomes `\r` and LF becomes `\n`
// (backslashes themselves are not escaped, so decoding a literal `\n` is ambiguous, as in Packer).

export interface MachineReadableLine {
  timestamp: number;
  /** The build name for build-scoped lines; empty for Packer's (and hclx's) own UI lines. */
  target: string;
  type: string;
  data: string[];
}

export function encodeMachineField(value: string): string {
  return value.replaceAll(',', '%!(PACKER_COMMA)').replaceAll('\r', '\\r').replaceAll('\n', '\\n');
}

export function decodeMachineField(value: string): string {
  return value.replaceAll('%!(PACKER_COMMA)', ',').replaceAll('\\r', '\r').replaceAll('\\n', '\n');
}

/** One machine-readable line (with its trailing newline). */
export function formatMachineReadable(line: MachineReadableLine): string {
  return `${Math.floor(line.timestamp)},${line.target},${line.type},${line.data.map(encodeMachineField).join(',')}\n`;
}

const LINE = /^(\d+),([^,]*),([^,]+)(?:,(.*))?$/;

/** Parses one line; undefined when it is not in the machine-readable format. */
export function parseMachineReadable(line: string): MachineReadableLine | undefined {
  const m = LINE.exec(line.replace(/\r?\n$/, ''));
  if (!m) return undefined;
  return { timestamp: Number(m[1]), target: m[2]!, type: m[3]!, data: m[4] === undefined ? [] : m[4].split(',').map(decodeMachineField) };
}

/** Whether a whole output is machine-readable (every non-empty line parses). */
export function isMachineReadableOutput(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.length > 0);
  return lines.length > 0 && lines.every((l) => parseMachineReadable(l) !== undefined);
}
