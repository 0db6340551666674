"""Debian's OpenSSH server on 127.0.0.1, for the terminal journeys.

`SshServer` starts sshd on a free loopback port, as the current user, with
a throwaway host key and user key made for the run (nothing of the
machine's ssh setup is read or changed), and gives the `ssh -tt` command
line that reaches it, so pmtui runs on a pty at the far end of a real
network connection, exactly as an on-call engineer's terminal gives it one.
Used by tests/integration (fixtures) and benchmarks/bench_journey.py.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

SSHD = "/usr/sbin/sshd"

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def why_no_sshd() -> str:
    """"" when an sshd can be started here, else why not (a skip reason)."""
    if not Path(SSHD).is_file():
        return "openssh-server is not installed (scripts/setup.sh installs it)"
    for tool in ("ssh", "ssh-keygen", "tmux"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/setup.sh installs it)"
    if os.geteuid() == 0 and not Path("/run/sshd").is_dir():
        try:
            Path("/run/sshd").mkdir(mode=0o755, parents=True)
        except OSError as exc:
            return f"sshd as root needs /run/sshd, which cannot be made here: {exc}"
    return ""


class SshServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.user = os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True, text=True,
                                                             check=True).stdout.strip()
        self.host_key = folder / "host_ed25519"
        self.user_key = folder / "user_ed25519"
        self.log = folder / "sshd.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SshServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        for key in (self.host_key, self.user_key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "pmtui-test", "-f", str(key)],
                           check=True, capture_output=True)
        authorized = self.folder / "authorized_keys"
        authorized.write_text(self.user_key.with_suffix(".pub").read_text())
        authorized.chmod(0o600)
        host_pub = self.host_key.with_suffix(".pub").read_text().split()
        (self.folder / "known_hosts").write_text(f"[127.0.0.1]:{self.port} {host_pub[0]} {host_pub[1]}\n")
        config = self.folder / "sshd_config"
        config.write_text("\n".join([
            f"Port {self.port}",
            "ListenAddress 127.0.0.1",
            f"HostKey {self.host_key}",
            f"PidFile {self.folder / 'sshd.pid'}",
            f"AuthorizedKeysFile {authorized}",
            "AuthenticationMethods publickey",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "PermitRootLogin prohibit-password",
            "PrintMotd no",
            "PrintLastLog no",
            "UseDNS no",
            "LogLevel ERROR",
            # A dropped client must end the session at once (the hang-up test).
            "ClientAliveInterval 1",
            "ClientAliveCountMax 2",
            "",
        ]))
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=log,
                                         stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sshd exited at once:\n{self.log.read_text(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"sshd never listened on {self.port}:\n{self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def ssh_command(self, remote: str) -> list[str]:
        """The client command line that runs `remote` over this server with a pty."""
        return [
            "ssh", "-tt", "-F", "/dev/null", "-p", str(self.port), "-i", str(self.user_key),
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", f"UserKnownHostsFile={self.folder / 'known_hosts'}", "-o", "LogLevel=ERROR",
            "-o", "ServerAliveInterval=1", "-o", "ServerAliveCountMax=2",
            f"{self.user}@127.0.0.1", remote,
        ]


