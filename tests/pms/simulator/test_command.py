"""`manage.py simulate_pms`: prints practices and credentials, stops on Ctrl-C."""

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_serves_the_demo_practice_and_stops_cleanly_on_ctrl_c():
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "simulate_pms",
            "--port",
            str(port),
            "--practices",
            "2",
            "--years",
            "0.1",
            "--rate-interval-ms",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "Ctrl-C to stop" in line or not line:
                break
        output = "".join(lines)
        assert "sim-customer-key-1" in output and "sim-customer-key-2" in output
        assert f"http://127.0.0.1:{port}/opendental/api/v1" in output
        response = requests.get(
            f"http://127.0.0.1:{port}/opendental/api/v1/patients/1",
            headers={
                "Authorization": "ODFHIR sim-developer-key/sim-customer-key-1",
                "Content-Type": "application/json",
            },
            timeout=5,
        )
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
