"""Renderings of a plan (human, JSON, markdown); the planner never formats anything."""
