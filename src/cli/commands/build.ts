// `hclx build`: placeholder until its issue lands.
import { defineCommand } from '../command.js';
import { ToolError } from '../../errors.js';

export const command = defineCommand({
  name: 'build',
  describe: 'not implemented yet',
  usage: 'build',
  options: (y) => y,
  async run() {
    throw new ToolError('hclx build is not implemented yet.');
  },
});
