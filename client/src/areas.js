// Charts in the areas of a report (dashboard cards, screen panels): they fill
// their area, and a card titled by the option's own title does not draw it
// a second time. Pure functions over options; chart.js applies them.

const MARGIN = 8;          // px: a card's chart keeps this much room on each side
const TOP = 28;            // px: room above the plot for value labels and axis names
const TITLE_TOP = 56;      // px: ... and for a title drawn inside the chart
const LEGEND_BOTTOM = 36;  // px: ECharts 6 puts legends at the bottom
const EDGE = 4;            // px: axis labels stay this far inside the canvas
const SIDES = ["left", "right", "top", "bottom", "width", "height"];

function asList(value) {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The text of an option's first title that is shown, if any. */
export function titleText(option) {
  const first = asList(option && option.title)[0];
  if (!isObject(first) || first.show === false) return null;
  return typeof first.text === "string" && first.text.trim() ? first.text : null;
}

/** Whether a component is shown at the bottom (ECharts 6's default for legends). */
function atBottom(item) {
  return isObject(item) && item.show !== false && item.top === undefined
    && (item.bottom === undefined || typeof item.bottom === "number" || item.bottom === "auto");
}

/**
 * The option made to fill its area, in place (idempotent): its titles not
 * drawn when `hideTitle` (the card's heading shows the text), and the one
 * grid of a plain cartesian chart given small margins instead of ECharts'
 * (15 % left, 10 % right, 65 px top, 80 px bottom). Axis labels stay inside:
 * the grid keeps them within its outer bounds, above a legend at the bottom. A chart that places its grid
 * itself, a timeline or several grids are left as they are.
 */
export function fillArea(option, hideTitle) {
  if (!isObject(option)) return option;
  if (hideTitle && option.title !== undefined) {
    option.title = asList(option.title).map((title) => (isObject(title) ? Object.assign({}, title, { show: false }) : title));
  }
  if (option.baseOption || option.options) return option;
  const cartesian = asList(option.xAxis).length || asList(option.yAxis).length;
  const grids = asList(option.grid);
  if (!cartesian || grids.length > 1) return option;
  const grid = isObject(grids[0]) ? grids[0] : {};
  if (SIDES.some((side) => grid[side] !== undefined)) return option;
  const legends = asList(option.legend).filter((legend) => isObject(legend) && legend.show !== false);
  const titled = titleText(option) !== null;
  const below = legends.some(atBottom) ? LEGEND_BOTTOM : EDGE;
  // The grid shrinks until its axis labels are inside its outer bounds
  // (ECharts 6's outerBoundsMode "auto"): above the legend, inside the canvas.
  option.grid = [Object.assign({}, grid, {
    left: MARGIN,
    right: 2 * MARGIN,
    top: titled ? TITLE_TOP : TOP,
    bottom: below + MARGIN,
    outerBounds: { left: EDGE, right: EDGE, top: EDGE, bottom: below },
  })];
  return option;
}
