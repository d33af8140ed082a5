"""Per-process machinery: option caches, the feed, limits and the runtime of an app."""
