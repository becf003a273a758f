"""Benchmarks for the reconciler, run against the local emulator (see README.md)."""
