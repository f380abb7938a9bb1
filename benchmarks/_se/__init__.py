"""Helpers of ``benchmarks/sample_efficiency.py``: problems, optimizers, aggregation, plot."""

__all__: list[str] = []
