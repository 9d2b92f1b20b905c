"""Speed and memory benchmarks, each reported as a ratio to a reference measured in the same run.

Run them all with ``make bench`` (``python -m benchmarks``), or one module with
``python -m benchmarks mmd``. Each ``bench_<name>.py`` module defines ``run()``
returning a list of :class:`benchmarks._timing.Figure`.
"""
