// `hclx migrate`: placeholder until its issue lands.
import { defineCommand } from '../command.js';
import { ToolError } from '../../errors.js';

export const command = defineCommand({
  name: 'migrate',
  describe: 'not implemented yet',
  usage: 'migrate',
  options: (y) => y,
  async run() {
    throw new ToolError('hclx migrate is not implemented yet.');
  },
});
