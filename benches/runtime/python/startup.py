"""Start-up only: the interpreter starts, runs this one statement and exits, so the
process time is the start-up and shut-down cost (only its `process` figure is
reported). Self-check: the interpreter really ran it, with a working `sys`.
"""
import sys

if sys.argv[0].endswith("startup.py") and sum(range(10)) == 45:
    print('{"hot_seconds": 0.0}')
else:
    sys.exit("startup self-check failed: the interpreter computed sum(range(10)) wrong")
