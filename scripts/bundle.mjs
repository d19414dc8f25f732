// Bundles hclx's own modules into dist/bundle/ (run by `npm run build` after tsc): one entry
// (hclx.js) plus one file per lazily loaded part (a command, the download engine, the simulator),
// split where src/ imports dynamically, so each command still loads only what its path needs.
// Why: Node 20 resolves, reads and compiles every module file separately; ~90 files of hclx's own
// for `render` cost ~20 ms of every start (bench/README.md, benchmark 5). bin/hclx.mjs runs it.
//
// npm packages stay outside and load from node_modules, except BUNDLED (with their own
// dependencies): undici is ~100 CommonJS files, ~40% of whose load time (~60-90 ms of a warm
// `hclx build`, benchmark 2) was finding and reading them; yargs (the option parser) is ~45 ES
// modules of 13 packages. Bundled packages are dev dependencies; the licence of every package the
// bundle holds (read from the metafile) goes to dist/bundle/THIRD-PARTY-LICENSES.md. The version
// bundled is the locked one in package-lock.json.
//
// yargs bundled: its ESM platform shim finds y18n's translations at import.meta.url/../../../locales,
// which from dist/bundle/ is outside the bundle; hclx pins yargs to English (src/cli/options.ts),
// whose strings are yargs' own message keys, so no translation file is needed or shipped.
//
// The bundle sits two directories below the package root, like dist/<folder>/, so the paths
// modules compute from import.meta.url (vendor/, examples/) resolve the same from src/, dist/ and
// dist/bundle/. dist/bundle-meta.json (esbuild's metafile, not shipped) says which source files
// each output file holds; test/cli/startup.test.ts reads it.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const BUNDLED = ['undici', 'yargs'];

/**
 * string-width (yargs' and cliui's, for laying out --help) builds an Intl.Segmenter and Unicode
 * property regexes when its module is evaluated: ~45 ms of every start, though only --help uses
 * it. Each `import stringWidth from 'string-width'` gets a stand-in whose first call require()s
 * the real module, which esbuild bundles as a module initialised on that first call.
 */
const deferStringWidth = {
  name: 'defer-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (args) => (args.pluginData?.real ? undefined : { path: args.resolveDir, namespace: 'deferred-string-width' }));
    b.onLoad({ filter: /.*/, namespace: 'deferred-string-width' }, (args) => ({
      contents: "let real;\nexport default function stringWidth(text, options) {\n  real ??= require('string-width').default;\n  return real(text, options);\n}\n",
      resolveDir: args.path,
      pluginData: { real: true },
    }));
  },
};

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { hclx: 'src/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: Object.keys(pkg.dependencies),
  // Bundled CommonJS packages require() Node's built-in modules; an ES module has no require.
  banner: { js: "import { createRequire as __hclxCreateRequire } from 'node:module'; const require = __hclxCreateRequire(import.meta.url);" },
  chunkNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'eof',
  plugins: [deferStringWidth],
});
writeFileSync(join(root, 'dist', 'bundle-meta.json'), JSON.stringify(result.metafile, null, 1) + '\n');

for (const name of BUNDLED) {
  if (name in pkg.dependencies) throw new Error(`${name} is bundled, so it belongs in devDependencies, not dependencies`);
}
/** Every package whose files the bundle holds: node_modules/<name>/ or node_modules/@scope/<name>/, nested ones included. */
const bundledDirs = new Set(
  Object.keys(result.metafile.inputs).flatMap((input) => {
    const m = /^((?:[^:]*\/)?node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input); // not the stand-ins (namespace:path)
    return m ? [m[1]] : [];
  }),
);
const packages = new Map();
for (const dir of bundledDirs) {
  const meta = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const licence = readdirSync(join(root, dir)).find((f) => /^licen[cs]e/i.test(f));
  if (!licence) throw new Error(`${dir} has no licence file to put in THIRD-PARTY-LICENSES.md`);
  packages.set(`${meta.name} ${meta.version}`, { meta, text: readFileSync(join(root, dir, licence), 'utf8').trim() });
}
const notices = ['# Third-party code in this bundle', '', 'Packages bundled into these files, with their licences.', ''];
for (const [id, { meta, text }] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
  notices.push(`## ${id} (${meta.license})`, '', '```', text, '```', '');
}
writeFileSync(join(outdir, 'THIRD-PARTY-LICENSES.md'), notices.join('\n'));
