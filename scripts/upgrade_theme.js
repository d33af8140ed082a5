// Prints an ECharts theme file written for ECharts 4 as a theme file for
// ECharts 5 and later: `node scripts/upgrade_theme.js THEME_FILE`.
//
// The themes of echarts-themes-js keep their series styles under ECharts 4's
// keys (`line: {lineStyle: {normal: {width: 3}}}`, `label: {normal:
// {textStyle: {color}}}`, `barBorderWidth`). ECharts 5 and later read a
// theme's option-shaped parts through their backward compatibility, but not
// its per-series-type defaults, so those styles were lost: chalk's lines were
// 2 px wide instead of 3, its candlesticks red instead of pink. This moves
// every such style where ECharts reads it now, as ECharts' own compatibility
// layer does for an option: `K.normal` into `K`, `K.emphasis` into
// `emphasis.K`, a label's `textStyle` into the label, `barBorder*` to
// `border*`. build_assets.py runs it on each file it takes from that package.

"use strict";

const fs = require("fs");
const vm = require("vm");

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// `owner[key] = {normal: {...}, emphasis: {...}, ...}`: normal's keys into
// owner[key], emphasis' into owner.emphasis[key].
function liftStates(owner, key) {
  const style = owner[key];
  if (!isObject(style) || !("normal" in style || "emphasis" in style)) return;
  const { normal, emphasis, ...rest } = style;
  owner[key] = { ...rest, ...(isObject(normal) ? normal : {}) };
  if (isObject(emphasis)) {
    owner.emphasis = isObject(owner.emphasis) ? owner.emphasis : {};
    owner.emphasis[key] = { ...(owner.emphasis[key] || {}), ...emphasis };
  }
}

// A label's `textStyle: {color}` is the label's `color` since ECharts 5.
function flattenText(label) {
  if (!isObject(label) || !isObject(label.textStyle)) return;
  const { textStyle, ...rest } = label;
  Object.assign(label, textStyle, rest);
  delete label.textStyle;
}

const BAR_BORDER = { barBorderWidth: "borderWidth", barBorderColor: "borderColor" };

function renameBarBorder(itemStyle) {
  if (!isObject(itemStyle)) return;
  for (const [old, now] of Object.entries(BAR_BORDER)) {
    if (old in itemStyle) {
      if (!(now in itemStyle)) itemStyle[now] = itemStyle[old];
      delete itemStyle[old];
    }
  }
}

// One component or series type's defaults, e.g. theme.line or theme.timeline.
function upgradePart(part) {
  for (const key of Object.keys(part)) liftStates(part, key);
  for (const owner of [part, part.emphasis]) {
    if (!isObject(owner)) continue;
    for (const key of ["label", "axisLabel"]) flattenText(owner[key]);
    renameBarBorder(owner.itemStyle);
  }
}

function upgrade(theme) {
  for (const part of Object.values(theme)) {
    if (isObject(part)) upgradePart(part);
  }
  return theme;
}

function main(path) {
  const registered = [];
  const echarts = { registerTheme: (name, theme) => registered.push([name, theme]) };
  // The file is a UMD module: run it with a global `echarts` that records.
  vm.runInNewContext(fs.readFileSync(path, "utf8"), { echarts });
  if (registered.length !== 1) {
    throw new Error(`${path} registers ${registered.length} themes, not one`);
  }
  const [name, theme] = registered[0];
  const text = JSON.stringify(upgrade(theme));
  process.stdout.write(`echarts.registerTheme(${JSON.stringify(name)}, ${text});\n`);
}

main(process.argv[2]);
