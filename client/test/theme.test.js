import assert from "node:assert/strict";
import { test } from "node:test";

import { darkOption, isDarkGrey, lightenText } from "../src/theme.js";

test("isDarkGrey knows pyecharts' dark text colours", () => {
  for (const colour of ["#333", "#464646", "black", " #000000 ", "rgb(51, 51, 51)", "rgba(70,70,70,0.8)"]) {
    assert.equal(isDarkGrey(colour), true, colour);
  }
});

test("isDarkGrey leaves light, coloured and odd values", () => {
  for (const colour of ["#fff", "#c23531", "#000080", "rgb(200,200,200)", "red", "", null, 3]) {
    assert.equal(isDarkGrey(colour), false, String(colour));
  }
});

test("lightenText changes text colours only, copying on write", () => {
  const option = {
    title: { textStyle: { color: "#333" } },
    series: [{ itemStyle: { color: "#333" }, label: { color: "black" } }],
  };
  const shown = lightenText(option, false, 0);
  assert.equal(shown.title.textStyle.color, "#e6e8eb");
  assert.equal(shown.series[0].label.color, "#e6e8eb");
  assert.equal(shown.series[0].itemStyle.color, "#333");
  assert.equal(option.title.textStyle.color, "#333");
  assert.equal(shown.series[0].itemStyle, option.series[0].itemStyle);
});

test("lightenText returns the same object when nothing changes, and skips data", () => {
  const option = { series: [{ data: [{ label: { color: "#333" } }] }] };
  assert.equal(lightenText(option, false, 0), option);
});

test("darkOption makes the background transparent unless the option sets one", () => {
  assert.equal(darkOption({}).backgroundColor, "transparent");
  assert.equal(darkOption({ backgroundColor: "#123" }).backgroundColor, "#123");
});

test("darkOption puts a timeline's background in baseOption", () => {
  const option = { baseOption: { timeline: {} }, options: [] };
  const shown = darkOption(option);
  assert.equal(shown.baseOption.backgroundColor, "transparent");
  assert.equal(shown.backgroundColor, undefined);
  assert.equal(option.baseOption.backgroundColor, undefined);
});
