"""One module per console page; each is a thin router over the services and flows."""
