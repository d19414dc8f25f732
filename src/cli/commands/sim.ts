// `hclx sim`: placeholder until its issue lands.
import { defineCommand } from '../command.js';
import { ToolError } from '../../errors.js';

export const command = defineCommand({
  name: 'sim',
  describe: 'not implemented yet',
  usage: 'sim',
  options: (y) => y,
  async run() {
    throw new ToolError('hclx sim is not implemented yet.');
  },
});
