"""The deployment, checked without Docker: the Dockerfile (and its build replayed), compose,
the nginx proxy and the systemd unit, against the settings and the service's limits."""
