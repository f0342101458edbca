"""The console: server-rendered pages (Jinja2) and vendored static assets, no build step."""
