"""Operations, the bottom of the stack: request ids and structured logs, outages (503s, sends that wait for
Redis), and the kernel of background jobs (jobs.py: the base task, sending by name, the one resume path).

It imports no other app of the project; every app may import it.
"""
