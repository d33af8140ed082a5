"""The report system: layouts, screens, number cards, live tables, the site."""
