"""A runnable fake of each PMS API, with generated practices, live changes and faults.

See docs/simulator.md. Entry points: `registry.Simulator`, `server.start_server`.
"""
