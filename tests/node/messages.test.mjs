// Message names come from one module (extension/messages.js): no other script of the extension
// spells a message type or a page command out, and every page and injection that uses them
// loads messages.js first.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { test } from 'node:test';
import { REPO_ROOT } from '../lib/beside.mjs';

const extension = (file) => path.join(REPO_ROOT, 'extension', file);
const read = (file) => fs.readFileSync(extension(file), 'utf8');

/** What messages.js defines, run as the browser runs it. */
function loadNames() {
  const context = vm.createContext({});
  vm.runInContext(read('messages.js'), context);
  return { messages: context.UnsponsorMessages, commands: context.UnsponsorCommands };
}

/** A script without its comments (names may be spelled out in prose). */
function code(file) {
  return read(file).replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

const SCRIPTS = ['background.js', 'content.js', 'autoclean.js', 'early-hide.js', 'popup.js', 'options.js', 'offscreen.js', 'judge.js'];

test('messages.js names every message and command once', () => {
  const { messages, commands } = loadNames();
  assert.ok(Object.isFrozen(messages) && Object.isFrozen(commands));
  for (const names of [messages, commands]) {
    const values = Object.values(names);
    assert.equal(new Set(values).size, values.length, `a name is used twice: ${values}`);
    assert.ok(values.every((value) => /^[a-z]+(-[a-z]+)*$/.test(value)));
  }
  assert.ok(Object.values(commands).includes('clean') && Object.values(messages).includes('run'));
});

test('no other script spells a message type or a command out', () => {
  const { messages, commands } = loadNames();
  const failures = [];
  for (const file of SCRIPTS) {
    const text = code(file);
    // Names share words with element ids ('auto-clean', 'clean', 'undo'): checked where a
    // message type or a command goes.
    for (const name of Object.values(messages)) {
      for (const place of [`type\\s*:\\s*['"]${name}['"]`, `case\\s+['"]${name}['"]\\s*:`, `type\\s*===\\s*['"]${name}['"]`]) {
        if (new RegExp(place).test(text)) failures.push(`${file}: message '${name}' (use UnsponsorMessages)`);
      }
    }
    for (const name of Object.values(commands)) {
      const places = [`run\\(\\s*'${name}'`, `unsponsorRun\\(\\s*'${name}'`, `case\\s+'${name}'\\s*:`, `command\\s*===\\s*'${name}'`, `runInTab\\([^)]*'${name}'`, `COMMANDS\\s*=\\s*new Set\\(\\[[^\\]]*'${name}'`, `:\\s*'${name}'\\s*[,}]`];
      for (const place of places) {
        if (new RegExp(place).test(text)) failures.push(`${file}: command '${name}' (use UnsponsorCommands)`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('every page and injection loads messages.js before the scripts that use it', () => {
  for (const page of ['popup.html', 'options.html']) {
    const scripts = [...read(page).matchAll(/<script src="([^"]+)"/g)].map((match) => match[1]);
    const own = scripts.indexOf(page.replace('.html', '.js'));
    assert.ok(own > 0 && scripts.indexOf('messages.js') >= 0 && scripts.indexOf('messages.js') < own, `${page}: ${scripts}`);
  }
  const offscreen = read('offscreen.html');
  const first = offscreen.indexOf('src="messages.js"');
  assert.ok(first >= 0 && first < offscreen.indexOf('src="offscreen.js"'), 'offscreen.html loads messages.js before offscreen.js');
  const background = code('background.js');
  assert.match(background, /importScripts\([^)]*'messages\.js'/, 'Chrome\'s service worker must import messages.js');
  assert.match(background, /files: \['messages\.js', 'removal\.js', 'content\.js'\]/, 'content.js is injected after messages.js and removal.js');
  assert.match(background, /js: \['messages\.js', 'removal\.js', 'content\.js', 'autoclean\.js'\]/, 'the auto-clean script starts with messages.js');
  const build = fs.readFileSync(path.join(REPO_ROOT, 'scripts', 'build.mjs'), 'utf8');
  assert.match(build, /scripts: \['settings\.js', 'messages\.js', 'background\.js'\]/, 'Firefox\'s background loads messages.js');
  assert.match(build, /EXTENSION_FILES = \[[^\]]*'messages\.js'/, 'the build ships messages.js');
});
