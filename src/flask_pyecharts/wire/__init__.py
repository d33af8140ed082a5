"""The wire format: chart documents, updates, option patches and event-stream bytes."""
