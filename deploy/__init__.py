"""How RRIS runs on real machines (systemd units, nginx, coturn, gunicorn) and `make cluster` on this one."""
