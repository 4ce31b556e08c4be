"""The REST API (version 1) for participants' scripts and organisers' automation."""
