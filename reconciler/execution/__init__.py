"""Execution: walk a plan's changes as a graph, calling SageMaker and waiting it out."""
