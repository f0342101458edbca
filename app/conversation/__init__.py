"""The conversation engine: an English agent with tools behind a Hebrew<->English pipeline."""
