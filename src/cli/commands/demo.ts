// `hclx demo`: placeholder until its issue lands.
import { defineCommand } from '../command.js';
import { ToolError } from '../../errors.js';

export const command = defineCommand({
  name: 'demo',
  describe: 'not implemented yet',
  usage: 'demo',
  options: (y) => y,
  async run() {
    throw new ToolError('hclx demo is not implemented yet.');
  },
});
