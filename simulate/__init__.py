"""Phone stand-ins: simulated volunteers (simulator.py) speaking the real websocket protocol
through a client (client.py). Used by `quadriller simulate`, the demo and bench/; never imported
by the service (server, ingest)."""
