"""Entry point of an ingest worker: `python -m extractor.ingest.worker_process FD PARENT_PID`.

A module of its own so that the message classes are pickled under their real module name
(extractor.ingest.worker), not `__main__`.
"""

import sys
from multiprocessing.connection import Connection

from extractor.ingest.worker import worker_main

if __name__ == "__main__":
    worker_main(Connection(int(sys.argv[1])), int(sys.argv[2]) if len(sys.argv) > 2 else 0)
