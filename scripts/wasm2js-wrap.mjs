// Turns binaryen's wasm2js output (an ES module that instantiates itself) into a module exporting
// `instantiate(imports)`, which content.js passes off as a WebAssembly.Instance to the
// wasm-bindgen glue on pages whose CSP forbids WebAssembly.

/** Returns the wrapped source; throws if wasm2js's output no longer has the expected shape. */
export function wrapWasm2js(source) {
  // One `import * as` line per module the wasm imports from: the glue, and each JavaScript
  // snippet (src/dom/*.js) whose functions the wasm calls directly. asmFunc reads the same
  // modules from its `imports` argument, which the glue fills.
  let out = source.replace(/^import \* as \S+ from '[^']+';\n/gm, '');
  if (/^import /m.test(out)) throw new Error('unexpected wasm2js output: an import line other than "import * as ... from"');
  const tail = out.indexOf('\nvar retasmFunc = asmFunc(');
  if (tail < 0) throw new Error('unexpected wasm2js output: no "var retasmFunc = asmFunc(" line');
  out = `${out.slice(0, tail)}\nexport function instantiate(imports) { return { exports: asmFunc(imports) }; }\n`;
  // The glue caches typed-array views of memory and refreshes them only once the old buffer is
  // detached (byteLength 0), as real wasm memory does on growth. Detach it the same way.
  const growth = 'buffer = newBuffer;';
  const occurrences = out.split(growth).length - 1;
  if (occurrences !== 1) throw new Error(`expected one "${growth}" in wasm2js output, found ${occurrences}`);
  return out.replace(growth,
    'var previousBuffer = buffer; buffer = newBuffer; ' +
    'if (previousBuffer.transfer) previousBuffer.transfer(0); else structuredClone(previousBuffer, { transfer: [previousBuffer] });');
}
