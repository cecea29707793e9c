"""gunicorn's settings for `make run` and for deployments (docs/deployment.md):

    gunicorn --config python:fangpin.gunicorn_conf fangpin.wsgi

FANGPIN_BIND (default 127.0.0.1:8000), FANGPIN_WORKERS (default 2 × cores + 1), FANGPIN_TIMEOUT (seconds a request
may take, default 600: a county's whole-registry import runs in the request and takes minutes).
"""
import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use, not all the machine's
    except AttributeError:
        return os.cpu_count() or 1


# A page's Polars work is one household's rows: threads would only wake each other, and the workers already use
# every core between them (the background-job worker, which screens whole areas, keeps Polars' own default).
os.environ.setdefault("POLARS_MAX_THREADS", "1")

bind = os.environ.get("FANGPIN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("FANGPIN_WORKERS") or 2 * _cores() + 1)
timeout = int(os.environ.get("FANGPIN_TIMEOUT", "600"))
accesslog = "-"
errorlog = "-"
control_socket_disable = True  # gunicorn's runtime control socket (in the home folder) is not used
