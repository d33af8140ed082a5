// The parts of a composite that are not charts: tables and images, built with
// textContent and checked attributes; and what a chart part's child shows.

import { CLASSES, modifier } from "./classes.js";
import { reviveFunctions, warnOnce } from "./functions.js";
import { t } from "./messages.js";
import { asArray, isObject } from "./util.js";

/** The CSS of a Page's PageLayoutOpts a composite may set (as the server allows). */
export const PAGE_LAYOUT = ["display", "justify-content", "flex-wrap", "align-items", "margin", "gap"];

/** The server's rule (components.safe_image_src): own-site paths, http(s), data:image/*. */
export function safeImageSrc(src) {
  if (typeof src !== "string" || !src || /[\x00-\x20\x7f]/.test(src)) return null;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(src);
  if (scheme) {
    const name = scheme[1].toLowerCase();
    if (name === "http" || name === "https") return src;
    if (name === "data" && /^data:image\/[a-zA-Z0-9.+-]+[;,]/i.test(src)) return src;
    return null;
  }
  return /^(\/\/|\\|\/\\)/.test(src) ? null : src;
}

export function partSize(value, property) {
  return typeof value === "string" && CSS.supports(property, value) ? value : null;
}

/**
 * A chart part sized in pixels (pyecharts' 900px x 500px) keeps its shape
 * when its card is narrower: the CSS aspect ratio of the two, else null.
 */
export function partRatio(width, height) {
  const px = /^(\d+(?:\.\d+)?)px$/;
  const w = px.exec(width || ""), h = px.exec(height || "");
  return w && h && parseFloat(w[1]) > 0 && parseFloat(h[1]) > 0 ? w[1] + " / " + h[1] : null;
}

export function partElement(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined && text !== null) el.textContent = String(text);
  return el;
}

/** Title and subtitle of a table or an image (text only). */
function partCaption(part, tag) {
  if (!part.title && !part.subtitle) return null;
  const caption = partElement(tag, CLASSES.partCaption);
  if (part.title) caption.appendChild(partElement("span", CLASSES.partTitle, part.title));
  if (part.subtitle) caption.appendChild(partElement("span", CLASSES.partSubtitle, part.subtitle));
  return caption;
}

export function fillTable(box, part) {
  const table = partElement("table", CLASSES.table);
  const caption = partCaption(part, "caption");
  if (caption) table.appendChild(caption);
  const headers = asArray(part.headers);
  if (headers.length) {
    const row = table.createTHead().insertRow();
    headers.forEach((text) => {
      const cell = partElement("th", null, text);
      cell.scope = "col";
      row.appendChild(cell);
    });
  }
  const body = table.createTBody();
  asArray(part.rows).forEach((cells) => {
    const row = body.insertRow();
    asArray(cells).forEach((text) => { row.insertCell().textContent = text == null ? "" : String(text); });
  });
  const scroll = partElement("div", CLASSES.tableScroll);
  scroll.tabIndex = 0;  // wide tables scroll with the keyboard too
  scroll.setAttribute("role", "region");
  scroll.setAttribute("aria-label", part.title ? String(part.title) : t("part.table"));
  scroll.appendChild(table);
  box.replaceChildren(scroll);
}

export function fillImage(box, part) {
  const img = partElement("img", CLASSES.image);
  img.alt = part.alt ? String(part.alt) : "";
  const src = safeImageSrc(part.src);
  if (src) img.src = src;
  else warnOnce("image refused: only own-site paths, http(s) and data:image URLs are shown");
  const width = partSize(part.width, "width");
  const height = partSize(part.height, "height");
  if (width) img.style.width = width;
  if (height) img.style.height = height;
  const caption = partCaption(part, "figcaption");
  box.replaceChildren(img);
  if (caption) box.appendChild(caption);
}

/** The document a chart part's child Chart shows. */
export function partDocument(part, host) {
  return {
    kind: "static", option: isObject(part.option) ? part.option : {},
    functions: part.functions, theme: part.theme, texture: part.texture,
    js_functions: part.js_functions,
    fit_labels: !host.doc || host.doc.fit_labels !== false,
  };
}

/**
 * A MapGlobe's texture, as pyecharts' simple_globe.html makes it: the map
 * chart drawn by an ECharts instance on a canvas of its own.
 */
export function globeTexture(texture, theme) {
  const option = isObject(texture.option) ? texture.option : {};
  const failure = reviveFunctions(option, texture.functions);
  if (failure) warnOnce(failure);
  const canvas = document.createElement("canvas");
  const chart = window.echarts.init(canvas, theme || undefined, { width: 2048, height: 1024 });
  chart.setOption(option);
  return chart;
}

/** The class of a part's box: "fpe-part fpe-part--chart". */
export function partClass(type) {
  return CLASSES.part + " " + modifier(CLASSES.part, type);
}
