"""An interpreter now: presence, on-demand requests, ringing, the fair queue, and their records.

How the pieces fit (see the README, "An interpreter now"):
- `domain`: pure rules: who is reachable (heartbeat), the states of a request and of a ring, the
  interval an on-demand call holds, whom to ring, the expected wait;
- `models`: presence per interpreter, one request per on-demand booking, one ring per interpreter asked;
- `queries`: who is reachable, the open queue of a language pair, recent answer times;
- `services`: the use cases (they commit): presence, request, accept, decline, connect, hang up,
  abandon, expire rings; each serves the queue under one lock (`services.dispatch`).
"""
