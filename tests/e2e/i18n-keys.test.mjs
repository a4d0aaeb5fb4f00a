// English, German and French have the same keys (nested too) and every value is filled
// in: a string, or a function that returns a non-empty string. The TypeScript `Strings`
// type already catches most of this at typecheck; this also looks inside the maps typed
// Record<string, string> (server error texts, role names, …), which the type cannot.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { repoRoot } from '../support/server.mjs';

async function load(lang) {
  const file = path.join(repoRoot, 'web/src/i18n', `${lang}.ts`);
  const source = await readFile(file, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
  return mod[lang];
}

function shape(value, prefix = '') {
  const out = [];
  for (const [key, v] of Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (v && typeof v === 'object') {
      out.push(...shape(v, name));
    } else {
      out.push(name);
    }
  }
  return out;
}

function values(value, prefix = '') {
  const out = [];
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (v && typeof v === 'object') {
      out.push(...values(v, name));
    } else {
      const text = typeof v === 'function' ? v('X', 3) : v;
      out.push([name, text]);
    }
  }
  return out;
}

test('en, de and fr have identical key sets and no empty strings', async () => {
  const [en, de, fr] = await Promise.all(['en', 'de', 'fr'].map(load));
  assert.deepEqual(shape(de), shape(en), 'German keys differ from English');
  assert.deepEqual(shape(fr), shape(en), 'French keys differ from English');
  for (const [lang, strings] of [['en', en], ['de', de], ['fr', fr]]) {
    for (const [name, text] of values(strings)) {
      assert.equal(typeof text, 'string', `${lang}.${name}`);
      assert.ok(text.trim().length > 0, `${lang}.${name} is empty`);
    }
    assert.equal(strings.lang, lang);
  }
  // Translated, not copied: the words people see first differ from English.
  for (const key of ['appName', 'join', 'yourName', 'waitingText', 'signIn', 'language']) {
    assert.notEqual(de[key], en[key], `de.${key} is still English`);
    assert.notEqual(fr[key], en[key], `fr.${key} is still English`);
  }
});
