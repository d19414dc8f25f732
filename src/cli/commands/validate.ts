// `hclx validate`: placeholder until its issue lands.
import { defineCommand } from '../command.js';
import { ToolError } from '../../errors.js';

export const command = defineCommand({
  name: 'validate',
  describe: 'not implemented yet',
  usage: 'validate',
  options: (y) => y,
  async run() {
    throw new ToolError('hclx validate is not implemented yet.');
  },
});
