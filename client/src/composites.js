// A Page, Tab, Table or Image arrives as a `composite` (docs/protocol.md)
// instead of an `option`. Its container's Chart draws it as DOM parts: each
// chart part is a static child Chart of its own; tables and images are
// built with textContent and checked attributes (parts.js). Updates replace
// it whole.

import { mount, unmount } from "./api.js";
import { CLASSES, modifier } from "./classes.js";
import { PAGE_LAYOUT, fillImage, fillTable, partClass, partDocument, partElement, partRatio, partSize } from "./parts.js";
import { charts } from "./state.js";
import { asArray, isObject } from "./util.js";

const counter = { composites: 0 };
const LOWEST_PART = "240px";      // a chart part kept in shape is at least this high

/** The parts of one composite, drawn in its host Chart's element. */
export class Composite {
  constructor(host) {
    this.host = host;
    this.id = "fpe-composite-" + (++counter.composites);
    this.root = null;
    this.boxes = [];
    this.shape = "";
    this.selected = 0;
  }

  /** Show `composite`: the same kinds of parts are updated in place. */
  show(composite) {
    const parts = asArray(composite.parts).filter(isObject);
    const type = composite.type === "tab" ? "tab" : "page";
    const shape = JSON.stringify([type, composite.layout, parts.map((part) => [part.type, part.tab])]);
    if (shape !== this.shape) this.build(type, composite.layout, parts);
    this.shape = shape;
    parts.forEach((part, index) => this.fill(this.boxes[index], part));
  }

  build(type, layout, parts) {
    this.clear();
    const root = this.root = partElement("div", CLASSES.composite + " " + modifier(CLASSES.composite, type));
    if (type === "page" && isObject(layout)) {
      PAGE_LAYOUT.forEach((key) => {
        const value = layout[key];
        if (typeof value === "string" && CSS.supports(key, value)) root.style.setProperty(key, value);
      });
    }
    this.boxes = parts.map((part) => {
      const box = partElement(part.type === "image" ? "figure" : "div", partClass(part.type));
      if (part.type === "chart") {
        const width = box.style.width = partSize(part.width, "width") || "100%";
        const height = partSize(part.height, "height");
        const ratio = partRatio(width, height);
        if (ratio) {  // a narrow card: lower, not a tall box half empty
          box.style.aspectRatio = ratio;
          box.style.minHeight = LOWEST_PART;
        } else {
          box.style.height = height && !/%$/.test(height) ? height : "400px";
        }
      }
      return box;
    });
    if (type === "tab") this.buildTabs(parts);
    else this.boxes.forEach((box) => root.appendChild(box));
    this.host.el.insertBefore(root, this.host.badge || null);
  }

  /** Accessible tabs: a tablist of buttons, one tabpanel per part. */
  buildTabs(parts) {
    const list = partElement("div", CLASSES.tabs);
    list.setAttribute("role", "tablist");
    if (this.selected >= parts.length) this.selected = 0;
    this.tabs = parts.map((part, index) => {
      const tab = partElement("button", CLASSES.tab, part.tab || String(index + 1));
      tab.type = "button";
      tab.id = this.id + "-tab-" + index;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", this.id + "-panel-" + index);
      tab.addEventListener("click", () => this.select(index));
      list.appendChild(tab);
      const panel = partElement("div", CLASSES.tabpanel);
      panel.id = this.id + "-panel-" + index;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.appendChild(this.boxes[index]);
      this.root.appendChild(panel);
      return { tab: tab, panel: panel };
    });
    list.addEventListener("keydown", (event) => this.onTabKey(event));
    this.root.insertBefore(list, this.root.firstChild);
    this.select(this.selected);
  }

  select(index, focus) {
    this.selected = index;
    this.tabs.forEach((item, i) => {
      const on = i === index;
      item.tab.setAttribute("aria-selected", String(on));
      item.tab.tabIndex = on ? 0 : -1;
      item.panel.hidden = !on;
    });
    if (focus) this.tabs[index].tab.focus();
  }

  onTabKey(event) {
    const count = this.tabs.length;
    const moves = { ArrowRight: this.selected + 1, ArrowLeft: this.selected - 1 + count, Home: 0, End: count - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    this.select(moves[event.key] % count, true);
  }

  fill(box, part) {
    if (part.type === "table") return fillTable(box, part);
    if (part.type === "image") return fillImage(box, part);
    if (part.type !== "chart") return;
    const doc = partDocument(part, this.host);
    const child = charts.get(box);
    if (child) child.applyDocument(doc);
    else mount(box, null, { document: doc });
  }

  /** Whether every chart part shown is drawn (one in a hidden tab is not
   *  drawn until its tab is chosen, so it is not waited for). */
  drawn() {
    return this.boxes.every((box) => {
      const child = charts.get(box);
      return !child || !box.getClientRects().length || child.isDrawn();
    });
  }

  clear() {
    this.boxes.forEach((box) => unmount(box));
    if (this.root) this.root.remove();
    this.root = null;
    this.boxes = [];
    this.shape = "";
  }
}
