"""The long-running controller (``reconciler run``): watch + resync loop, lease lock,
health and metrics server."""
