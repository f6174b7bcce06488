// wasm-bindgen puts the JavaScript a crate imports (src/dom/read.js, the page reader) in
// snippets/<crate>-<hash>/... files that the glue imports (`import * as importN from ...` for the
// wasm module's own imports, `import { name } from ...` for its wrappers). The content script may
// load only the files listed as web-accessible, so the build folds each snippet into the glue
// instead: one file, no extra request, nothing else exposed to pages.
import fs from 'node:fs';
import path from 'node:path';

const IMPORT = /^import (\* as (\w+)|\{([^}]*)\}) from (["'])(\.\/snippets\/[^"']+)\4;?\n/gm;
const EXPORT = /^export (?:async )?(?:function\*?|const|let|class) ([\w$]+)/gm;

/** A module's text without its `export` keywords, and the names it exported. */
function withoutExports(source, from) {
  const exported = [...source.matchAll(EXPORT)].map((match) => match[1]);
  const body = source.replace(/^export (?=(?:async )?(?:function|const|let|class) )/gm, '');
  if (/^export /m.test(body)) throw new Error(`${from}: only "export function/const/let/class" is supported`);
  return { body, exported };
}

/**
 * A module that exports only functions and constants (`export function/const/let/class`), as a
 * classic script: its exports frozen into one global, `globalThis[name]`, set once (a second
 * injection into the same page keeps the first). The build makes extension/removal.js from
 * src/dom/removal.js so: content.js finds it there, with no module to load.
 */
export function classicScript(source, name, from) {
  const { body, exported } = withoutExports(source, from);
  if (/^import /m.test(body)) throw new Error(`${from}: a classic script cannot import`);
  return `// Generated from ${from} by scripts/build.mjs (classicScript in scripts/inline-snippets.mjs).\n`
    + `globalThis.${name} ??= (() => {\n${body}\nreturn Object.freeze({ ${exported.join(', ')} });\n})();\n`;
}

/** Folds every snippet import of `<dir>/<glue>` into the glue and deletes `<dir>/snippets`. */
export function inlineSnippets(dir, glue) {
  const gluePath = path.join(dir, glue);
  const source = fs.readFileSync(gluePath, 'utf8');
  const modules = new Map(); // snippet file → name of the const holding its exports
  let prelude = '';
  const folded = source.replace(IMPORT, (_, _clause, namespace, names, _quote, file) => {
    if (!modules.has(file)) {
      const name = `__unsponsorSnippet${modules.size}`;
      modules.set(file, name);
      const { body, exported } = withoutExports(fs.readFileSync(path.join(dir, file), 'utf8'), file);
      prelude += `// folded from ${file} by scripts/inline-snippets.mjs\nconst ${name} = (() => {\n${body}\nreturn Object.freeze({ ${exported.join(', ')} });\n})();\n`;
    }
    const module = modules.get(file);
    if (namespace) return `const ${namespace} = ${module};\n`;
    const bindings = names.split(',').map((entry) => entry.trim()).filter(Boolean).map((entry) => {
      const [imported, local = imported] = entry.split(/\s+as\s+/);
      return imported === local ? imported : `${imported}: ${local}`;
    });
    return `const { ${bindings.join(', ')} } = ${module};\n`;
  });
  if (/from ["']\.\/snippets\//.test(folded)) throw new Error(`${gluePath}: a snippet import was not folded`);
  fs.writeFileSync(gluePath, prelude + folded);
  fs.rmSync(path.join(dir, 'snippets'), { recursive: true, force: true });
  return modules.size;
}
