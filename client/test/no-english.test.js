import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

// Every text the client shows comes from messages.js (in en and zh-CN): a
// sentence written in another module would stay English on a Chinese page.
// Warnings for developers (console, warnOnce, TypeError) are not shown.

const SRC = new URL("../src/", import.meta.url);
const DEVELOPERS = /warnOnce\(|console\.|TypeError\(|^\s*(\/\/|\*|\/\*\*)/;

test("no module but messages.js holds a sentence people read", () => {
  const found = [];
  for (const file of readdirSync(SRC).filter((name) => name.endsWith(".js") && name !== "messages.js")) {
    readFileSync(new URL(file, SRC), "utf8").split("\n").forEach((line, index) => {
      if (DEVELOPERS.test(line)) return;
      for (const match of line.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
        if (/^fpe-/.test(match[1])) continue;  // class names
        if (/[A-Za-z]{2,} [A-Za-z]{2,}/.test(match[1])) found.push(`${file}:${index + 1}: ${match[1]}`);
      }
    });
  }
  assert.deepEqual(found, []);
});
