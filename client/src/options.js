// Merging option patches the way ECharts' setOption does.

import { asArray, isObject } from "./util.js";

/**
 * Merge `patch` into `target` as ECharts' setOption does: objects key by
 * key, the component lists at the top of an option item by item, any other
 * list or value replaced whole. Returns `target`.
 */
export function mergeOption(target, patch) {
  Object.keys(patch).forEach(function (key) {
    const value = patch[key];
    const old = target[key];
    if (Array.isArray(value) && Array.isArray(old) && value.some(isObject)) {
      value.forEach(function (item, index) {
        if (isObject(item) && isObject(old[index])) mergeObject(old[index], item);
        else old[index] = item;
      });
    } else if (isObject(value) && isObject(old)) {
      mergeObject(old, value);
    } else {
      target[key] = value;
    }
  });
  return target;
}

/** A copy of `option` with `patch` merged, copying only what it touches. */
export function withPatch(option, patch) {
  const copy = Object.assign({}, option);
  Object.keys(patch).forEach((key) => {
    const value = patch[key];
    copy[key] = Array.isArray(value)
      ? asArray(option[key]).map((item, index) => (isObject(item) ? Object.assign({}, item, value[index]) : item))
      : value;
  });
  return copy;
}

function mergeObject(target, patch) {
  Object.keys(patch).forEach(function (key) {
    const value = patch[key];
    if (isObject(value) && isObject(target[key])) mergeObject(target[key], value);
    else target[key] = value;
  });
}
