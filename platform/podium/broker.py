"""Options of kombu's filesystem transport, the broker used when CELERY_BROKER_URL is unset."""

from pathlib import Path


def filesystem_transport_options(broker_dir):
    """Create the transport's folders under ``broker_dir`` and return its options.

    Producers write into ``data_folder_out`` and consumers read
    ``data_folder_in``, so both name the same folder for the site, the worker
    and beat to meet. Without ``control_folder``, kombu keeps its exchange table
    in ./control of whichever folder the process started in.
    """
    broker_dir = Path(broker_dir).resolve()
    for folder in ("out", "processed", "control"):
        (broker_dir / folder).mkdir(parents=True, exist_ok=True)

    return {
        "data_folder_in": str(broker_dir / "out"),
        "data_folder_out": str(broker_dir / "out"),
        "processed_folder": str(broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(broker_dir / "control"),
    }
