// The body schemas for HCL's JSON syntax are defined once, in src/hcl/json-schema.ts (the parser
// uses them as its default). This module only re-exports them for the template stages.

export {
  ATTRIBUTES_ONLY,
  BUILD_SCHEMA,
  DYNAMIC_SCHEMA,
  PACKER_SCHEMA,
  PROXMOX_SOURCE_SCHEMA,
  ROOT_SCHEMA,
  VARIABLE_SCHEMA,
} from '../hcl/json-schema.js';
