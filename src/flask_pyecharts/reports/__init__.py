"""Reports: what a report shows beside charts, and the pages that show them
(number cards, live tables, layouts, screens, the site, playlists)."""
