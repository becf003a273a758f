"""Planning: desired manifests + observed live state → a plan of changes (pure; no AWS).

- :mod:`desired`  resolves manifests into physical names, resolved specs and tags;
- :mod:`planner`  decides per resource what to do and why, and orders the changes;
- :mod:`changes`  the plan as data (actions, operations, reasons, diffs) and its JSON.
"""
