"""Benchmarks (``make bench``; ``make bench-smoke`` in CI): the speed and memory targets,
each against the real code and, where there is one, the peer at its best configuration
(docs/benchmarks.md). They drive the tests' harnesses and fakes (``tests.support``,
``tests.fakes``)."""
