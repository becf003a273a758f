"""Notifications: events of apply and the controller, delivered to the sinks a user
configures (``--notify`` / ``RECONCILER_NOTIFY``) in the background.

- :mod:`events` — what is said: :class:`~events.Event` (kind, owner, target, address,
  message, time, details) and one constructor per kind; pure data.
- :mod:`sinks` — where it goes: a Slack-compatible incoming webhook, a generic JSON
  webhook, EventBridge ``PutEvents`` (through the gateway); parsing ``--notify`` values
  and the redacted form of a URL (a webhook URL is a secret: it is never printed).
- :mod:`delivery` — how: :class:`~delivery.Notifier`, a queue and a thread per sink,
  retries with exponential backoff, bounded in attempts and time; ``emit`` never blocks
  and never raises.
- :mod:`watch` — when: what an apply and a controller pass report (apply results,
  rollbacks, held specs, drift in detect mode, resources turning Degraded), with the
  controller's memory of what it already said.

Called by the commands (apply, run) and the controller; it reads the executor's report
and progress events, never the other way round (the executor only emits progress events,
which :func:`watch.notifying_progress` turns into events).
"""
