"""gamio's tests, in the same rooms as gamio_cli. Shared helpers: conftest.py (fixtures, the tiny
models once a session), scripted.py (scripted models at the seams), tiny/ (tiny trained models)."""
