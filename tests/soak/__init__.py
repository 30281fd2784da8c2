"""The soak run of gamio's promises (issue 15): SIGKILL and Ctrl-C at random moments of the real
game, random input lines into the real REPL, a real small file system filling up during play.
`python -m tests.soak` runs it in full and prints the figures; test_soak.py runs a short version
in the normal suite so it cannot rot."""
