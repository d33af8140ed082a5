// The CSS class names the client sets, in one place (flask-pyecharts.css
// styles them; the filter bar's come from the server's template).

export const CLASSES = Object.freeze({
  state: "fpe-state",                      // the badge; plus "fpe-state--<state>"
  overlay: "fpe-state--overlay",           // the badge over a chart not drawn yet
  compositeHost: "fpe-composite-host",
  composite: "fpe-composite",              // plus "fpe-composite--page|tab"
  part: "fpe-part",                        // plus "fpe-part--chart|table|image"
  partCaption: "fpe-part-caption",
  partTitle: "fpe-part-title",
  partSubtitle: "fpe-part-subtitle",
  table: "fpe-table",
  tableScroll: "fpe-table-scroll",
  image: "fpe-image",
  tabs: "fpe-tabs",
  tab: "fpe-tab",
  tabpanel: "fpe-tabpanel",
  filter: "fpe-filter",
  filterInvalid: "fpe-filter--invalid",
  filterDrill: "fpe-filter--drill",
  filterLabel: "fpe-filter-label",
  crumb: "fpe-crumb",
  crumbSep: "fpe-crumb-sep",
  crumbCurrent: "fpe-crumb--current",
  clear: "fpe-clear",
  numberHost: "fpe-number-host",          // a chart element showing a number card
});

/** `block--modifier`: "fpe-state--live", "fpe-part--chart". */
export function modifier(block, name) {
  return block + "--" + name;
}
