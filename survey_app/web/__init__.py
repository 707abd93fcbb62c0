"""Web layer: blueprints that parse requests, call a service and render."""
