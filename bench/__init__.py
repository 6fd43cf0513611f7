"""Benchmarks of the service against baselines measured in the same run (``make bench``)."""
