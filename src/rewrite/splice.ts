// The rewrite's text edits are made with the shared edit layer (src/hcl/edit.ts). This alias only
// keeps src/emit/stage.ts compiling until it imports applyEdits from there; then delete this file.

export { applyEdits as applyTextEdits } from '../hcl/edit.js';
