// `hclx render`: placeholder until its issue lands.
import { defineCommand } from '../command.js';
import { ToolError } from '../../errors.js';

export const command = defineCommand({
  name: 'render',
  describe: 'not implemented yet',
  usage: 'render',
  options: (y) => y,
  async run() {
    throw new ToolError('hclx render is not implemented yet.');
  },
});
