// `hclx plan`: placeholder until its issue lands.
import { defineCommand } from '../command.js';
import { ToolError } from '../../errors.js';

export const command = defineCommand({
  name: 'plan',
  describe: 'not implemented yet',
  usage: 'plan',
  options: (y) => y,
  async run() {
    throw new ToolError('hclx plan is not implemented yet.');
  },
});
