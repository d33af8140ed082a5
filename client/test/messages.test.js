import assert from "node:assert/strict";
import { test } from "node:test";

import { MESSAGES, buildError, clockText, localeOf, relativeTime, t, translate } from "../src/messages.js";

const params = (text) => new Set(Array.from(text.matchAll(/\{(\w+)\}/g), (m) => m[1]));

test("every key exists in both languages, with the same parameters", () => {
  assert.deepEqual(Object.keys(MESSAGES["zh-CN"]).sort(), Object.keys(MESSAGES.en).sort());
  for (const [key, text] of Object.entries(MESSAGES.en)) {
    assert.deepEqual(params(MESSAGES["zh-CN"][key]), params(text), key);
    assert.ok(text.trim() && MESSAGES["zh-CN"][key].trim(), key);
  }
});

test("the Chinese texts have no English word but names", () => {
  const names = new Set(["JsCode", "CSP", "CSV", "unsafe", "eval", "JSON", "data", "chart", "script", "add", "js", "funcs",
    "fpe", "initial", "ECharts"]);
  for (const [key, text] of Object.entries(MESSAGES["zh-CN"])) {
    const words = (text.replace(/\{\w+\}/g, "").match(/[A-Za-z]{2,}/g) || []).filter((w) => !names.has(w));
    assert.deepEqual(words, [], key);
  }
});

test("parameters are substituted, unknown ones left as they are", () => {
  const choices = "全国, 华东";
  assert.equal(translate("en", "filter.not_allowed", { value: "火星", label: "地区", choices }),
    '"火星" is not an allowed 地区 (全国, 华东)');
  assert.equal(translate("zh-CN", "filter.not_allowed", { value: "火星", label: "地区", choices }),
    "“火星”不是允许的地区（全国, 华东）");
  assert.equal(translate("zh-CN", "summary.polling", { seconds: 2 }), "每 2 秒轮询");
  assert.equal(translate("en", "summary.polling", {}), "Polling every {seconds} s");
  assert.equal(translate("en", "filter.at_least", { label: "$&", min: "$1" }), "$& must be at least $1");
});

test("an unknown locale speaks English; an unknown key is itself", () => {
  assert.equal(translate("fr", "control.pause"), "Pause");
  assert.equal(translate("zh-CN", "no.such.key"), "no.such.key");
});

test("the locale of a language tag", () => {
  for (const tag of ["zh-CN", "zh", "zh-TW", "ZH-hk"]) assert.equal(localeOf(tag), "zh-CN", tag);
  for (const tag of ["en", "en-US", "", null, undefined, "fr", "zhx"]) assert.equal(localeOf(tag), "en", tag);
});

test("t reads <html lang>, English without a document", () => {
  assert.equal(t("control.pause"), "Pause");
  globalThis.document = { documentElement: { getAttribute: () => "zh-CN" } };
  try {
    assert.equal(t("control.pause"), "暂停");
    assert.equal(t("state.detail", { state: t("state.error"), message: "x" }), "错误：x");
  } finally {
    delete globalThis.document;
  }
});

test("relative times", () => {
  const now = 1_000_000_000;
  const cases = [
    [0, "updated just now", "刚刚更新"],
    [3_000, "updated just now", "刚刚更新"],
    [12_500, "updated 12 s ago", "12 秒前更新"],
    [125_000, "updated 2 min ago", "2 分钟前更新"],
    [7_300_000, "updated 2 h ago", "2 小时前更新"],
    [200_000_000, "updated 2 d ago", "2 天前更新"],
    [-5_000, "updated just now", "刚刚更新"], // a clock a little ahead
  ];
  for (const [ago, en, zh] of cases) {
    assert.equal(relativeTime(now - ago, now, "en"), en);
    assert.equal(relativeTime(now - ago, now, "zh-CN"), zh);
  }
});

test("the clock in both languages", () => {
  const date = new Date(2026, 11, 6, 15, 4, 5);
  assert.equal(clockText(date, false, "en"), "15:04:05");
  assert.equal(clockText(date, false, "zh-CN"), "15:04:05");
  const zh = clockText(date, true, "zh-CN");
  assert.match(zh, /2026年12月6日/);
  assert.match(zh, /星期日/);
  assert.match(clockText(date, true, "en"), /Sunday, December 6, 2026/);
});

test("a build failure with an error id is said in the page's language", () => {
  assert.equal(
    buildError({ error: "Chart 'x' could not be built (error id 3f9a0c1e).", error_id: "3f9a0c1e" }, "zh-CN"),
    "图表无法生成（错误编号 3f9a0c1e，详见服务器日志）",
  );
  assert.match(buildError({ error: "x", error_id: "ab12" }, "en"), /could not be built \(error id ab12;/);
  assert.equal(buildError({ error: "ZeroDivisionError: boom" }, "zh-CN"), "ZeroDivisionError: boom");  // debug mode
  assert.equal(buildError(null, "zh-CN"), "图表生成失败");
});
